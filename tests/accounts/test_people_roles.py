"""Changing a role and deactivating: exactly one role group, never yourself, never the last
admin; each change is audited."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.exceptions import LastAdminRefused, RoleRefused, SelfChangeRefused
from accounts.roles import user_role
from accounts.services import api_token_authenticate, api_token_create
from audit.models import AuditEntry
from tests.support.factories import user_make

pytestmark = pytest.mark.django_db


def test_a_role_change_leaves_exactly_the_new_role_and_is_audited():
    admin = user_make("jefa", role="admin")
    person = user_make("pepa", role="analyst")
    services.user_role_change(actor=admin, user=person, role="manager")
    person.refresh_from_db()
    assert list(person.groups.values_list("name", flat=True)) == ["manager"]
    person = type(person).objects.get(pk=person.pk)
    assert person.has_perm("campaigns.launch_campaign")
    entry = AuditEntry.objects.get(action="user.role_change")
    assert entry.detail == {"previous_role": "analyst", "role": "manager"}


def test_a_superuser_moved_off_admin_loses_the_superuser_flag():
    admin = user_make("jefa", role="admin")
    root = type(admin).objects.create_superuser("raiz", "raiz@ejemplo.mx", "x")
    services.user_role_change(actor=admin, user=root, role="editor")
    root.refresh_from_db()
    assert not root.is_superuser and not root.is_staff and user_role(root) == "editor"


def test_nobody_changes_their_own_role_or_deactivates_themselves():
    admin = user_make("jefa", role="admin")
    user_make("otra-admin", role="admin")
    with pytest.raises(SelfChangeRefused):
        services.user_role_change(actor=admin, user=admin, role="analyst")
    with pytest.raises(SelfChangeRefused):
        services.user_deactivate(actor=admin, user=admin)
    admin.refresh_from_db()
    assert admin.is_active and user_role(admin) == "admin"


def test_the_last_admin_is_neither_demoted_nor_deactivated():
    last = user_make("ultima", role="admin")
    with pytest.raises(LastAdminRefused):
        services.user_role_change(actor=None, user=last, role="manager")
    with pytest.raises(LastAdminRefused):
        services.user_deactivate(actor=None, user=last)
    # A deactivated admin does not count as another admin.
    gone = user_make("ida", role="admin", is_active=False)
    with pytest.raises(LastAdminRefused):
        services.user_deactivate(actor=None, user=last)
    # With a second active admin, it works.
    gone.is_active = True
    gone.save()
    services.user_deactivate(actor=gone, user=last)
    last.refresh_from_db()
    assert not last.is_active


def test_only_ops_roles_are_given_from_the_team_page():
    admin = user_make("jefa", role="admin")
    person = user_make("pepa", role="analyst")
    with pytest.raises(RoleRefused):
        services.user_role_change(actor=admin, user=person, role="agency")


def test_a_deactivated_person_cannot_use_the_api_and_their_link_dies():
    admin = user_make("jefa", role="admin")
    person = user_make("pepa", role="manager")
    token = api_token_create(user=person)
    services.user_deactivate(actor=admin, user=person)
    assert api_token_authenticate(raw_token=token) is None
    assert AuditEntry.objects.filter(action="user.deactivate", actor=admin).exists()


def test_the_audit_log_names_roles_in_words():
    from audit.presenters import audit_row

    admin = user_make("jefa", role="admin")
    person = user_make("pepa", role="analyst")
    services.user_role_change(actor=admin, user=person, role="manager")
    row = audit_row(AuditEntry.objects.get(action="user.role_change"))
    assert row.action == "User · role changed"
    assert dict(row.detail) == {"previous role": "Analyst", "role": "Manager"}
