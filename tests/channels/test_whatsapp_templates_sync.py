"""The template catalogue mirrors the fake Twilio Content API through the real twilio SDK."""

from __future__ import annotations

import pytest

from channels.models import WhatsAppTemplate
from channels.whatsapp_templates import TemplateSyncFailed, whatsapp_templates_sync
from fakes.twilio_content import SEED

pytestmark = pytest.mark.django_db

WELCOME_ES = SEED[0]["sid"]
MISSION_ES = SEED[1]["sid"]
PROMO_REJECTED = SEED[4]["sid"]


def test_sync_mirrors_every_template_with_its_approval(content_api):
    result = whatsapp_templates_sync()
    assert (result.seen, result.created, result.updated) == (len(SEED), len(SEED), 0)
    assert set(WhatsAppTemplate.objects.values_list("sid", flat=True)) == {t["sid"] for t in SEED}
    welcome = WhatsAppTemplate.objects.get(sid=WELCOME_ES)
    assert (welcome.friendly_name, welcome.language, welcome.locale) == (
        "bienvenida_creadores",
        "es_MX",
        "es-MX",
    )
    assert welcome.category == "MARKETING" and welcome.approved
    assert welcome.body.startswith("¡Hola {{1}}! Te damos la bienvenida")
    assert welcome.variables == {"1": "Ana", "2": "Plata"}
    assert [b["title"] for b in welcome.buttons] == ["Sí, quiero", "Más tarde"]
    mission = WhatsAppTemplate.objects.get(sid=MISSION_ES)
    assert mission.buttons == [
        {"type": "URL", "title": "Ver misión", "url": "https://altavoz.mx/m/{{4}}"}
    ]
    assert sorted(mission.variables) == ["1", "2", "3", "4"]
    rejected = WhatsAppTemplate.objects.get(sid=PROMO_REJECTED)
    assert rejected.status == WhatsAppTemplate.Status.REJECTED
    assert rejected.rejection_reason.startswith("INVALID_FORMAT.")
    assert set(WhatsAppTemplate.objects.values_list("locale", flat=True)) == {"es-MX", "en"}
    # A newly seen rejected template counts as stopped (a campaign may name it already).
    assert [t.sid for t in result.stopped] == [PROMO_REJECTED]


def test_sync_follows_every_page(content_api):
    for number in range(130):
        content_api.content_template_add(
            friendly_name=f"extra_{number:03d}", language="en", body="Hi {{1}}"
        )
    result = whatsapp_templates_sync()
    assert result.seen == len(SEED) + 130  # the sync asks 100 a page: two pages
    assert WhatsAppTemplate.objects.filter(friendly_name__startswith="extra_").count() == 130


def test_a_status_change_at_twilio_is_mirrored_and_reported_once(content_api):
    whatsapp_templates_sync()
    content_api.content_template_set(
        WELCOME_ES, status="paused", rejection_reason="Quality rating: low"
    )
    result = whatsapp_templates_sync()
    welcome = WhatsAppTemplate.objects.get(sid=WELCOME_ES)
    assert welcome.status == WhatsAppTemplate.Status.PAUSED
    assert welcome.rejection_reason == "Quality rating: low"
    assert [t.sid for t in result.stopped] == [WELCOME_ES]
    assert whatsapp_templates_sync().stopped == []  # still paused: not news
    content_api.content_template_set(WELCOME_ES, status="approved")
    whatsapp_templates_sync()
    welcome.refresh_from_db()
    assert welcome.approved and welcome.rejection_reason == ""


def test_a_template_twilio_no_longer_lists_is_marked_deleted(content_api):
    whatsapp_templates_sync()
    content_api.content_template_delete(MISSION_ES)
    result = whatsapp_templates_sync()
    assert WhatsAppTemplate.objects.get(sid=MISSION_ES).status == WhatsAppTemplate.Status.DELETED
    assert [t.sid for t in result.stopped] == [MISSION_ES]


def test_a_failing_content_api_changes_nothing(content_api, settings):
    whatsapp_templates_sync()
    content_api.content_template_set(WELCOME_ES, status="disabled")
    content_api.set_behaviour("twilio", failure={"mode": "5xx", "status": 500, "count": 1})
    with pytest.raises(TemplateSyncFailed):
        whatsapp_templates_sync()
    assert WhatsAppTemplate.objects.get(sid=WELCOME_ES).approved
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(TemplateSyncFailed, match="HTTP 401"):
        whatsapp_templates_sync()
    assert WhatsAppTemplate.objects.get(sid=WELCOME_ES).approved


def test_the_command_syncs_and_names_the_stopped_templates(content_api, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("whatsapp_templates_sync", stdout=out)
    assert f"{len(SEED)} synced, {len(SEED)} new; stopped: promo_relampago." in out.getvalue()
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(CommandError, match="HTTP 401"):
        call_command("whatsapp_templates_sync", stdout=out)


def test_a_content_api_that_does_not_answer_in_time_fails_the_sync(content_api, settings):
    settings.CHANNEL_READ_TIMEOUT = 0.3
    content_api.set_behaviour("twilio", latency_ms=1500)
    with pytest.raises(TemplateSyncFailed, match="ReadTimeout"):
        whatsapp_templates_sync()
    assert WhatsAppTemplate.objects.count() == 0


def test_overlapping_syncs_do_not_trip_over_each_other(content_api, transactional_db):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def sync() -> int:
        try:
            return whatsapp_templates_sync().created
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=3) as pool:
        created = list(pool.map(lambda _: sync(), range(3)))
    assert sorted(created) == [0, 0, len(SEED)]
    assert WhatsAppTemplate.objects.count() == len(SEED)
