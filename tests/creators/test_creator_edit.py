"""Editing a creator from the ops app (each field read as the import reads its column) and
changing a consent with a reason, recorded in the history and the audit log."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from creators.models import ConsentChange, Creator
from tests.support.factories import creator_make


@pytest.fixture
def manager(role_client):
    return role_client("manager")


def form_data(creator: Creator, **changes: str) -> dict[str, str]:
    data = {
        "handle": creator.handle,
        "name": creator.name,
        "email": creator.email,
        "phone": creator.phone,
        "locale": creator.locale,
        "timezone": creator.timezone,
        "market": creator.market,
        "state": creator.state,
        "level": str(creator.level),
        "followers": str(creator.followers),
        "category": creator.category,
        "content_type": creator.content_type,
        "joined_at": "",
        "tags": ", ".join(creator.tags),
    }
    return {**data, **changes}


def test_edit_stores_values_as_the_import_would(manager):
    ana = creator_make("ana")
    response = manager.post(
        f"/creators/{ana.pk}/edit/",
        form_data(
            ana,
            handle="@Ana_MX",
            phone="+521 55 1234 5678",
            state="jalisco",
            timezone="america/monterrey",
            market="mx",
            tags="vip, beta, vip",
            joined_at="2026-05-01",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/creators/{ana.pk}/"
    ana.refresh_from_db()
    assert ana.handle == "ana_mx"
    assert ana.phone == "+525512345678"
    assert ana.state == "JAL"
    assert ana.timezone == "America/Monterrey"
    assert ana.market == "MX"
    assert ana.tags == ["vip", "beta"]
    assert ana.joined_at is not None and ana.joined_at.date().isoformat() == "2026-05-01"
    entry = AuditEntry.objects.get(action="creator.update")
    assert set(entry.detail["fields"]) == {
        "handle",
        "phone",
        "state",
        "timezone",
        "tags",
        "joined_at",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("handle", "no spaces allowed", "Not a TikTok handle"),
        ("phone", "12", "Not a valid phone number"),
        ("email", "ana@", "Not a valid email address."),
        ("state", "Atlantis", "Unknown Mexican state"),
        ("timezone", "Mars/Olympus", "Unknown time zone"),
        ("market", "M1", "Not an ISO country code"),
        ("level", "9", "Ensure this value is less than or equal to 7."),
        ("joined_at", "yesterday", "Not an ISO 8601 date"),
        ("tags", "a;b", "without “;”"),
        ("locale", "fr", "Select a valid choice."),
    ],
)
def test_a_bad_field_is_a_400_with_the_import_message(manager, field, value, message):
    ana = creator_make("ana", state="SON")
    response = manager.post(f"/creators/{ana.pk}/edit/", form_data(ana, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    ana.refresh_from_db()
    assert ana.state == "SON" and ana.handle == "ana"


def test_a_creator_needs_an_email_or_a_phone(manager):
    ana = creator_make("ana")
    response = manager.post(f"/creators/{ana.pk}/edit/", form_data(ana, email="", phone=""))
    assert response.status_code == 400
    assert "No usable email address or phone number" in response.content.decode()


def test_a_taken_handle_is_a_400(manager):
    ana = creator_make("ana")
    creator_make("beto")
    response = manager.post(f"/creators/{ana.pk}/edit/", form_data(ana, handle="BETO"))
    assert response.status_code == 400
    assert "Another creator already has the handle @beto." in response.content.decode()
    ana.refresh_from_db()
    assert ana.handle == "ana"


def test_consent_change_records_the_reason_and_who(manager):
    ana = creator_make("ana", consent_whatsapp="unknown")
    response = manager.post(
        f"/creators/{ana.pk}/consent/",
        {"channel": "whatsapp", "status": "granted", "reason": "Pidió por correo el 3 de mayo"},
    )
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.consent_whatsapp == "granted"
    change = ConsentChange.objects.get(creator=ana)
    assert (change.channel, change.status, change.source) == ("whatsapp", "granted", "ops")
    assert change.reason == "Pidió por correo el 3 de mayo"
    assert change.changed_by == manager.user
    entry = AuditEntry.objects.get(action="creator.consent")
    assert entry.detail["reason"] == "Pidió por correo el 3 de mayo"
    page = manager.get(f"/creators/{ana.pk}/").content.decode()
    assert "Pidió por correo el 3 de mayo" in page and "Ops app" in page
    audit = manager.get("/audit/").content.decode()
    assert "Unknown" in audit and "Granted" in audit  # words, not raw codes


@pytest.mark.parametrize(
    "data",
    [
        {"channel": "whatsapp", "status": "granted", "reason": "  "},
        {"channel": "fax", "status": "granted", "reason": "x"},
        {"channel": "email", "status": "maybe", "reason": "x"},
        {"channel": "email", "status": "denied", "reason": "x" * 501},
        {},
    ],
)
def test_a_bad_consent_form_is_a_400_and_changes_nothing(manager, data):
    ana = creator_make("ana")
    response = manager.post(f"/creators/{ana.pk}/consent/", data)
    assert response.status_code == 400
    assert not ConsentChange.objects.exists()
    ana.refresh_from_db()
    assert ana.consent_email == "granted"


@pytest.mark.parametrize("role", ["analyst", "editor"])
def test_roles_that_cannot_edit_creators_get_403(role_client, role):
    ana = creator_make("ana")
    client = role_client(role)
    assert client.get(f"/creators/{ana.pk}/edit/").status_code == 403
    assert client.post(f"/creators/{ana.pk}/edit/", form_data(ana, name="X")).status_code == 403
    data = {"channel": "email", "status": "denied", "reason": "x"}
    assert client.post(f"/creators/{ana.pk}/consent/", data).status_code == 403
    assert 'id="creator-edit"' not in client.get(f"/creators/{ana.pk}/").content.decode()
    ana.refresh_from_db()
    assert ana.name == "Ana" and ana.consent_email == "granted"


def test_unknown_creators_are_404(manager):
    assert manager.get("/creators/999999/edit/").status_code == 404
    assert manager.post("/creators/999999/consent/", {}).status_code == 404
