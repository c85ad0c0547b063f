"""The admin's opt-out action goes through the consent service and is audited."""

from django.urls import reverse

from audit.models import AuditEntry
from creators.models import ConsentChange, Creator


def test_opt_out_records_history_and_one_audit_entry_per_creator(admin_client):
    ana = Creator.objects.create(handle="ana", name="Ana", consent_email="granted")
    beto = Creator.objects.create(
        handle="beto",
        name="Beto",
        consent_email="denied",
        consent_whatsapp="denied",
        consent_push="denied",
        consent_inbox="denied",
    )
    response = admin_client.post(
        reverse("admin:creators_creator_changelist"),
        {"action": "mark_opted_out", "_selected_action": [ana.pk, beto.pk]},
        follow=True,
    )
    assert "4 consents set to denied." in response.content.decode()
    ana.refresh_from_db()
    assert {ana.consent_for(ch) for ch in ("email", "whatsapp", "push", "inbox")} == {"denied"}
    assert ConsentChange.objects.filter(creator=ana, source="admin").count() == 4
    assert not ConsentChange.objects.filter(creator=beto).exists()
    entry = AuditEntry.objects.get(action="creator.optout")
    assert (entry.target_type, entry.target_id, entry.actor.username) == (
        "creator",
        str(ana.pk),
        "admin",
    )
    assert sorted(entry.detail["channels"]) == ["email", "inbox", "push", "whatsapp"]


def test_changelist_searches_and_filters(admin_client):
    Creator.objects.create(handle="ana", name="Ana", state="JAL", consent_push="granted")
    Creator.objects.create(handle="beto", name="Beto", state="NLE")
    url = reverse("admin:creators_creator_changelist")
    response = admin_client.get(url, {"consent_push__exact": "granted"})
    assert [c.handle for c in response.context["cl"].result_list] == ["ana"]
    response = admin_client.get(url, {"q": "beto"})
    assert [c.handle for c in response.context["cl"].result_list] == ["beto"]


def test_change_form_keeps_consent_read_only(admin_client):
    ana = Creator.objects.create(handle="ana", name="Ana")
    response = admin_client.get(reverse("admin:creators_creator_change", args=[ana.pk]))
    assert response.status_code == 200
    assert 'name="consent_email"' not in response.content.decode()
    assert 'name="handle"' in response.content.decode()
