"""The campaign wizard through the Django test client: basics → audience → messages (4 channels
× 2 languages) → schedule → review → launch."""

from __future__ import annotations

import re

import pytest

from campaigns.models import Campaign, CampaignTransition, Message
from segments.services import segment_create
from tests.support.factories import MESSAGES, creators_make

pytestmark = pytest.mark.django_db

CHANNELS = ["email", "inbox", "push", "whatsapp"]


def _fields(channel: str, locale: str) -> dict[str, str]:
    fields = dict(MESSAGES[channel])
    if locale == "en":
        fields = {key: value.replace("Hola", "Hi") for key, value in fields.items()}
    return fields


def _draft_through_messages(client) -> Campaign:
    segment = segment_create(name="Todas", rules={"all": []})
    response = client.post(
        "/campaigns/new/",
        {
            "name": "Reto de diciembre",
            "kind": "competition",
            "market": "MX",
            "default_locale": "es-MX",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-24",
        },
    )
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/campaigns/{campaign.pk}/audience/"
    response = client.post(
        f"/campaigns/{campaign.pk}/audience/", {"segment": segment.pk, "channels": CHANNELS}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/messages/"
    for channel in CHANNELS:
        for locale in ("es-MX", "en"):
            response = client.post(
                f"/campaigns/{campaign.pk}/messages/",
                {"channel": channel, "locale": locale, **_fields(channel, locale)},
            )
            assert response.status_code == 302, response.content.decode()
    return campaign


def test_wizard_makes_a_launchable_campaign_with_4_channels_in_2_languages(role_client):
    creators_make(6)
    client = role_client("manager")
    campaign = _draft_through_messages(client)

    page = client.get(f"/campaigns/{campaign.pk}/messages/?tab=whatsapp-en").content.decode()
    assert "WhatsApp · en" in page and "WhatsApp · es-MX" in page and "Email · es-MX" in page
    response = client.post(
        f"/campaigns/{campaign.pk}/schedule/", {"mode": "now", "send_at": "", "cron": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/review/"

    review = client.get(f"/campaigns/{campaign.pk}/review/")
    html = review.content.decode()
    assert review.status_code == 200
    assert 'id="launch"' in html
    assert 'data-testid="template-error"' not in html
    assert "srcdoc=" in html  # the email HTML in a sandboxed frame
    campaign.refresh_from_db()
    assert campaign.channels == CHANNELS
    assert Message.objects.filter(campaign=campaign).count() == 8
    assert str(campaign.starts_on) == "2026-12-01"

    confirm = client.get(f"/campaigns/{campaign.pk}/launch/").content.decode()
    assert 'id="launch-confirm-button"' in confirm
    response = client.post(f"/campaigns/{campaign.pk}/launch/")
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    campaign.refresh_from_db()
    assert (campaign.status, campaign.last_run) == ("sending", 1)
    transition = CampaignTransition.objects.get(campaign=campaign)
    assert transition.actor == client.user


def test_audience_counts_show_reachable_creators_per_channel(role_client):
    creators_make(4, devices=False)
    creators_make(3, start=10, consent="denied")
    segment = segment_create(name="Todas", rules={"all": []})
    client = role_client("editor")
    campaign = Campaign.objects.create(name="x", kind="mission")
    html = client.get(
        f"/campaigns/{campaign.pk}/audience/counts/", {"segment": segment.pk}
    ).content.decode()
    assert "7 creators in the segment" in html
    figures = dict(re.findall(r'data-testid="reachable-(\w+)">(\d+)<', html))
    # inbox needs no address: everyone who did not refuse it (default consent) is reachable.
    assert figures == {"email": "4", "whatsapp": "4", "push": "0", "inbox": "7"}


def test_bad_template_is_refused_inline_with_its_line(role_client):
    client = role_client("editor")
    campaign = _draft_through_messages(client)
    response = client.post(
        f"/campaigns/{campaign.pk}/messages/",
        {
            "channel": "push",
            "locale": "es-MX",
            "title": "Hola",
            "body": "Primera línea\n{{ creator.nombre }}",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'data-testid="template-error">([^<]*)<', html).group(1)
    assert "Line 2" in error
    assert "{{ creator.nombre }}" in html  # what was typed is kept
    stored = Message.objects.get(campaign=campaign, channel="push", locale="es-MX")
    assert stored.fields == MESSAGES["push"]


def test_preview_renders_for_a_creator_of_the_segment(role_client):
    creators_make(2)
    client = role_client("editor")
    campaign = _draft_through_messages(client)
    html = client.post(
        f"/campaigns/{campaign.pk}/messages/preview/",
        {"channel": "whatsapp", "locale": "es-MX", "body": "Hola {{ creator.first_name }}"},
    ).content.decode()
    assert "Hola Creadora" in html and "phone-frame" in html
    broken = client.post(
        f"/campaigns/{campaign.pk}/messages/preview/",
        {"channel": "email", "locale": "en", "subject": "Hi", "html": "<p>\n{{ creator.x }}</p>"},
    ).content.decode()
    assert 'data-testid="template-error"' in broken and "Line 2" in broken


def test_schedule_at_a_time_is_typed_in_the_ops_time_zone(role_client, settings):
    settings.TIME_ZONE = "America/Mexico_City"
    client = role_client("manager")
    campaign = _draft_through_messages(client)
    response = client.post(
        f"/campaigns/{campaign.pk}/schedule/", {"mode": "at", "send_at": "2030-01-15T09:30"}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.schedule_plan == {"mode": "at", "send_at": "2030-01-15T09:30:00-06:00"}
    review = client.get(f"/campaigns/{campaign.pk}/review/").content.decode()
    assert "At 01/15/2030 9:30 a.m." in review
    client.post(f"/campaigns/{campaign.pk}/launch/")
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    assert campaign.send_at.isoformat() == "2030-01-15T15:30:00+00:00"


def test_recurring_schedule_takes_a_cron_expression(role_client):
    client = role_client("manager")
    campaign = _draft_through_messages(client)
    bad = client.post(f"/campaigns/{campaign.pk}/schedule/", {"mode": "recurring", "cron": "0 10"})
    assert bad.status_code == 400
    client.post(f"/campaigns/{campaign.pk}/schedule/", {"mode": "recurring", "cron": "0 10 * * 1"})
    client.post(f"/campaigns/{campaign.pk}/launch/")
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    assert campaign.periodic_task.crontab.day_of_week == "1"


def test_wizard_makes_a_campaign_that_starts_when_an_event_happens(role_client):
    client = role_client("manager")
    campaign = _draft_through_messages(client)
    bad = client.post(
        f"/campaigns/{campaign.pk}/schedule/",
        {"mode": "event", "trigger_event": "sale_made", "trigger_where": '{"field": "amount"}'},
    )
    assert bad.status_code == 400
    assert "missing" in bad.content.decode()
    response = client.post(
        f"/campaigns/{campaign.pk}/schedule/",
        {
            "mode": "event",
            "trigger_event": "sale_made",
            "trigger_where": '{"field": "amount", "op": "gte", "value": 100}',
            "trigger_repeat": "every",
            "trigger_every_days": "7",
        },
    )
    assert response.status_code == 302, response.content.decode()
    campaign.refresh_from_db()
    assert campaign.trigger == {
        "event": "sale_made",
        "where": {"field": "amount", "op": "gte", "value": 100},
        "repeat": {"every_days": 7},
    }
    assert (
        "<code>sale_made</code> happens"
        in client.get(f"/campaigns/{campaign.pk}/review/").content.decode()
    )
    client.post(f"/campaigns/{campaign.pk}/launch/")
    campaign.refresh_from_db()
    assert campaign.status == "sending" and campaign.last_run == 0
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="trigger"' in page and "at most once every 7 days per creator" in page
    assert 'data-figure="matched">0<' in page
    # The schedule step shows the trigger again; choosing "now" drops it.
    draft = _draft_through_messages_again(client)
    client.post(f"/campaigns/{draft.pk}/schedule/", {"mode": "event", "trigger_event": "sale_made"})
    client.post(f"/campaigns/{draft.pk}/schedule/", {"mode": "now"})
    draft.refresh_from_db()
    assert draft.trigger == {}


def _draft_through_messages_again(client) -> Campaign:
    response = client.post(
        "/campaigns/new/",
        {"name": "Otra", "kind": "announcement", "market": "MX", "default_locale": "es-MX"},
    )
    assert response.status_code == 302, response.content.decode()
    return Campaign.objects.get(name="Otra")
