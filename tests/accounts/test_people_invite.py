"""Inviting someone makes their user inactive with the role, emails a signed link that works
once, and the link's page sets the password, activates and signs them in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from accounts import selectors, services
from accounts.exceptions import EmailTaken, InvitationInvalid, RoleRefused
from accounts.models import Invitation
from accounts.roles import user_role
from audit.models import AuditEntry
from tests.support.factories import user_make

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "una-clave-larga-2026"


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _invite(admin, email="Nueva@Ejemplo.MX", role="editor", capture=None):
    if capture is None:
        return services.user_invite(actor=admin, email=email, role=role)
    with capture(execute=True):
        return services.user_invite(actor=admin, email=email, role=role)


def test_invited_person_is_inactive_with_the_role_and_gets_the_link_by_email(
    eager_tasks, django_capture_on_commit_callbacks, settings
):
    settings.PUBLIC_BASE_URL = "https://altavoz.example"
    admin = user_make("jefa", role="admin")
    user, path = _invite(admin, capture=django_capture_on_commit_callbacks)
    assert user.username == user.email == "nueva@ejemplo.mx"
    assert not user.is_active and not user.has_usable_password()
    assert user_role(user) == "editor"
    (email,) = mail.outbox
    assert email.to == ["nueva@ejemplo.mx"]
    assert f"https://altavoz.example{path}" in email.body
    assert "jefa" in email.body and "Editor" in email.body
    entry = AuditEntry.objects.get(action="user.invite")
    assert entry.actor == admin and entry.target_id == str(user.pk)
    assert entry.detail == {"email": "nueva@ejemplo.mx", "role": "editor"}


def test_the_link_sets_the_password_once():
    admin = user_make("jefa", role="admin")
    user, path = _invite(admin)
    invitation = selectors.invitation_from_token(token=_token(path))
    services.invitation_accept(invitation=invitation, password=NEW_PASSWORD)
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="user.accept", actor=user).exists()
    with pytest.raises(InvitationInvalid):
        selectors.invitation_from_token(token=_token(path))
    with pytest.raises(InvitationInvalid):
        services.invitation_accept(invitation=invitation, password="otra-clave-larga-99")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_forged_or_tampered_link_is_refused():
    admin = user_make("jefa", role="admin")
    _user, path = _invite(admin)
    token = _token(path)
    for bad in ("nada", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), token + "x"):
        with pytest.raises(InvitationInvalid):
            selectors.invitation_from_token(token=bad)


def test_an_expired_link_is_refused():
    admin = user_make("jefa", role="admin")
    _user, path = _invite(admin)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvitationInvalid):
        selectors.invitation_from_token(token=_token(path))


def test_a_new_link_revokes_the_earlier_one():
    admin = user_make("jefa", role="admin")
    user, first = _invite(admin)
    second = services.user_invite_again(actor=admin, user=user)
    with pytest.raises(InvitationInvalid):
        selectors.invitation_from_token(token=_token(first))
    assert selectors.invitation_from_token(token=_token(second)).user == user


def test_an_active_address_cannot_be_invited_again():
    admin = user_make("jefa", role="admin")
    user_make("ocupada", email="ocupada@ejemplo.mx", role="analyst")
    with pytest.raises(EmailTaken):
        services.user_invite(actor=admin, email="OCUPADA@ejemplo.mx", role="editor")
    assert User.objects.filter(email__iexact="ocupada@ejemplo.mx").count() == 1


def test_a_deactivated_person_is_invited_back_into_the_same_user():
    admin = user_make("jefa", role="admin")
    old = user_make("antigua", email="antigua@ejemplo.mx", role="manager")
    services.user_deactivate(actor=admin, user=old)
    user, path = services.user_invite(actor=admin, email="antigua@ejemplo.mx", role="analyst")
    assert user.pk == old.pk and user_role(user) == "analyst"
    services.invitation_accept(
        invitation=selectors.invitation_from_token(token=_token(path)), password=NEW_PASSWORD
    )
    user.refresh_from_db()
    assert user.is_active


def test_the_agency_role_is_not_offered_on_the_team_page():
    admin = user_make("jefa", role="admin")
    with pytest.raises(RoleRefused):
        services.user_invite(actor=admin, email="agencia@ejemplo.mx", role="agency")
    assert not User.objects.filter(email="agencia@ejemplo.mx").exists()


def test_the_email_names_the_link_that_works(eager_tasks, django_capture_on_commit_callbacks):
    admin = user_make("jefa", role="admin")
    _user, path = _invite(admin, capture=django_capture_on_commit_callbacks)
    (link,) = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert link.endswith(path)
    assert selectors.invitation_from_token(token=_token(link)).user.email == "nueva@ejemplo.mx"
