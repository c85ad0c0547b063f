"""Ops create an agency and invite its people from the browser pages: an invited member
belongs to exactly that agency and, once signed in through the link, sees only its work;
removing a member takes both away. Managers do it; other roles get a 403; bad ids a 404."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.exceptions import EmailInAgency
from agencies import services
from agencies.models import Agency, AgencyMembership
from audit.models import AuditEntry
from config.celery import app as celery_app
from tests.support.factories import (
    agency_make,
    agency_user_make,
    brief_make,
    client_for,
    user_make,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "una-clave-larga-2026"


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_an_invited_member_sees_only_their_agency_once_signed_in(role_groups):
    manager = user_make("gerente", role="manager")
    alfa, bravo = agency_make("Alfa"), agency_make("Bravo")
    brief_make(agency=alfa, author=manager, title="Brief de Alfa")
    brief_make(agency=bravo, author=manager, title="Brief de Bravo")
    user, path = services.agency_member_invite(
        actor=manager, agency=alfa, email="escritora@alfa.mx"
    )
    assert AgencyMembership.objects.get(user=user).agency == alfa
    assert not user.is_active
    account_services.invitation_accept(
        invitation=account_selectors.invitation_from_token(token=_token(path)),
        password=NEW_PASSWORD,
    )
    user = User.objects.get(pk=user.pk)
    assert user.get_all_permissions() == {"agencies.use_portal"}
    client = Client()
    assert client.login(username="escritora@alfa.mx", password=NEW_PASSWORD)
    portal = client.get(reverse("agency-home")).content.decode()
    assert "Brief de Alfa" in portal and "Brief de Bravo" not in portal
    assert client.get(reverse("creator-list")).status_code == 403
    assert AuditEntry.objects.filter(action="agency.member_add", target_id=str(alfa.pk)).exists()


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def test_the_invitation_is_emailed(role_groups, django_capture_on_commit_callbacks, eager_tasks):
    manager = user_make("gerente", role="manager")
    with django_capture_on_commit_callbacks(execute=True):
        _user, path = services.agency_member_invite(
            actor=manager, agency=agency_make("Alfa"), email="escritora@alfa.mx"
        )
    (email,) = mail.outbox
    assert email.to == ["escritora@alfa.mx"] and path in email.body


def test_an_ops_colleague_cannot_be_invited_into_an_agency(role_groups):
    manager = user_make("gerente", role="manager")
    client = client_for(manager)
    alfa = agency_make("Alfa")
    user_make("editora", email="editora@altavoz.mx", role="editor")
    response = client.post(
        reverse("agency-member-invite", args=[alfa.pk]), {"email": "editora@altavoz.mx"}
    )
    assert response.status_code == 400
    assert "already has an active account" in response.content.decode()
    assert not AgencyMembership.objects.exists()


def test_removing_a_member_ends_their_access(role_groups):
    manager = user_make("gerente", role="manager")
    alfa = agency_make("Alfa")
    member = agency_user_make(alfa, "alfa-writer")
    client = client_for(manager)
    response = client.post(reverse("agency-member-remove", args=[alfa.pk, member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert not AgencyMembership.objects.filter(user=member).exists()
    assert not Client().login(username="alfa-writer", password="altavoz-test-password")
    assert AuditEntry.objects.filter(action="agency.member_remove", actor=manager).exists()
    # Invited again (to another agency), they belong to that one only.
    bravo = agency_make("Bravo")
    again, _path = services.agency_member_invite(actor=manager, agency=bravo, email=member.email)
    assert again.pk == member.pk
    assert AgencyMembership.objects.get(user=member).agency == bravo


def test_manager_creates_an_agency_and_invites_from_the_pages(role_groups):
    client = client_for(user_make("gerente", role="manager"))
    assert client.get(reverse("agency-list")).status_code == 200
    created = client.post(reverse("agency-list"), {"name": "Estudio Sur"})
    agency = Agency.objects.get(name="Estudio Sur")
    assert created.status_code == 302 and created["Location"] == reverse(
        "agency-detail", args=[agency.pk]
    )
    assert client.post(reverse("agency-list"), {"name": "Estudio Sur"}).status_code == 400
    assert client.post(reverse("agency-list"), {"name": ""}).status_code == 400
    invited = client.post(
        reverse("agency-member-invite", args=[agency.pk]), {"email": "ana@sur.mx"}
    )
    assert invited.status_code == 302
    page = client.get(reverse("agency-detail", args=[agency.pk])).content.decode()
    assert "ana@sur.mx" in page and 'id="invitation-url"' in page and "Invited" in page
    assert 'name="user_id"' not in page  # no raw id boxes
    assert (
        client.post(reverse("agency-member-invite", args=[agency.pk]), {"email": "x"}).status_code
        == 400
    )
    assert AuditEntry.objects.filter(action="agency.create", target_id=str(agency.pk)).exists()


@pytest.mark.parametrize("role", ["analyst", "editor", "agency"])
def test_other_roles_are_refused(role_groups, role):
    alfa = agency_make("Alfa")
    member = agency_user_make(alfa, "alfa-writer")
    client = client_for(user_make(f"x-{role}", role=role))
    assert client.get(reverse("agency-list")).status_code == 403
    assert client.post(reverse("agency-list"), {"name": "Nueva"}).status_code == 403
    assert client.get(reverse("agency-detail", args=[alfa.pk])).status_code == 403
    url = reverse("agency-member-invite", args=[alfa.pk])
    assert client.post(url, {"email": "z@z.mx"}).status_code == 403
    for name in ("agency-member-remove", "agency-member-invite-again"):
        assert client.post(reverse(name, args=[alfa.pk, member.pk])).status_code == 403
    assert not Agency.objects.filter(name="Nueva").exists()
    assert AgencyMembership.objects.filter(user=member).exists()


def test_bad_ids_are_404_and_another_agencys_member_is_not_reached(role_groups):
    client = client_for(user_make("gerente", role="manager"))
    alfa, bravo = agency_make("Alfa"), agency_make("Bravo")
    bravo_member = agency_user_make(bravo, "bravo-writer")
    assert client.get(reverse("agency-detail", args=[999999])).status_code == 404
    assert client.post(reverse("agency-member-invite", args=[999999])).status_code == 404
    for name in ("agency-member-remove", "agency-member-invite-again"):
        assert client.post(reverse(name, args=[alfa.pk, bravo_member.pk])).status_code == 404
        assert client.post(reverse(name, args=[alfa.pk, 999999])).status_code == 404
    assert AgencyMembership.objects.get(user=bravo_member).agency == bravo
    assert client.get("/agencies/teams/abc/").status_code == 404


def test_a_pending_member_is_not_invited_to_the_team_but_a_removed_one_can_be(role_groups):
    manager = user_make("gerente", role="manager")
    admin = user_make("jefa", role="admin")
    alfa = agency_make("Alfa")
    member, _path = services.agency_member_invite(actor=manager, agency=alfa, email="a@alfa.mx")
    with pytest.raises(EmailInAgency):
        account_services.user_invite(actor=admin, email="a@alfa.mx", role="editor")
    team = client_for(admin).get(reverse("team")).content.decode()
    assert "a@alfa.mx" not in team
    services.agency_member_remove(
        actor=manager, membership=AgencyMembership.objects.get(user=member)
    )
    assert "a@alfa.mx" not in client_for(admin).get(reverse("team")).content.decode()
    again, _path = account_services.user_invite(actor=admin, email="a@alfa.mx", role="editor")
    assert again.pk == member.pk
    assert list(again.groups.values_list("name", flat=True)) == ["editor"]
