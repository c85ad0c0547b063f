"""Roles are groups whose permissions come from accounts.roles; pages check permissions."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_PERMISSIONS, Role, roles_sync
from audit.models import AuditEntry
from audit.services import audit_record


@pytest.mark.django_db
def test_migrate_creates_every_role_with_its_permissions():
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        if names is None:
            assert len(granted) == Permission.objects.count()
        else:
            assert granted == set(names)


@pytest.mark.django_db
def test_sync_takes_back_a_permission_added_by_hand():
    analyst = Group.objects.get(name=Role.ANALYST)
    analyst.permissions.add(Permission.objects.get(codename="launch_campaign"))
    roles_sync()
    assert not analyst.permissions.filter(codename="launch_campaign").exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("analyst", 403), ("editor", 403), ("manager", 200), ("admin", 200)],
)
def test_audit_log_is_for_managers_and_admins(role_client, role, expected):
    client = role_client(role)
    audit_record(
        actor=client.user,
        action="segment.create",
        target_type="segment",
        target_id=7,
        target_label="Top sellers CDMX",
    )
    response = client.get("/audit/")
    assert response.status_code == expected
    if expected == 200:
        assert "Top sellers CDMX" in response.content.decode()


def test_pages_need_sign_in(client, db):
    for url in ["/", "/creators/", "/segments/", "/campaigns/", "/audit/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
def test_audit_filter_by_type(role_client):
    client = role_client("manager")
    audit_record(
        actor=None, action="campaign.launch", target_type="campaign", target_label="Reto Navidad"
    )
    audit_record(actor=None, action="creator.optout", target_type="creator", target_label="@lupita")
    body = client.get("/audit/?type=creator").content.decode()
    assert "@lupita" in body and "Reto Navidad" not in body
    assert AuditEntry.objects.count() == 2
