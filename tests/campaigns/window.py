"""Test data for the WhatsApp 24-hour window (campaigns/whatsapp_window.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, Delivery
from channels.models import WhatsAppTemplate
from creators.models import Creator
from fakes.client import FakeProviders
from tests.support.factories import campaign_make, creators_make

TEMPLATE_SID = "HX" + "7" * 32
BODY = "Hola {{ creator.first_name }}, ¿cómo vas con la misión? https://shop.example/m/1"
TEMPLATE = {"content_sid": TEMPLATE_SID, "variables": {"1": "{{ creator.first_name }}"}}
BOTH = {**TEMPLATE, "body": BODY}
BODY_ONLY = {"body": BODY}


def creators_with_windows(count: int = 6) -> tuple[list[Creator], list[Creator]]:
    """`count` creators: the even ones wrote on WhatsApp an hour ago (window open), creador_1
    wrote 25 hours ago (window closed an hour ago), the others never wrote.
    Returns (inside, outside)."""
    creators = creators_make(count, whatsapp_window=False)
    now = timezone.now()
    inside = creators[::2]
    Creator.objects.filter(pk__in=[c.pk for c in inside]).update(
        whatsapp_window_open_until=now + timedelta(hours=23)
    )
    Creator.objects.filter(pk=creators[1].pk).update(
        whatsapp_window_open_until=now - timedelta(hours=1)
    )
    outside = [c for c in creators if c not in inside]
    return inside, outside


def template_catalogue() -> None:
    """TEMPLATE_SID in the WhatsApp template catalogue, approved (as a sync of the Content API
    would leave it: docs/whatsapp-templates.md), so messages naming it save and launch."""
    WhatsAppTemplate.objects.update_or_create(
        sid=TEMPLATE_SID,
        defaults={
            "friendly_name": "recordatorio_mision",
            "language": "es_MX",
            "locale": "es-MX",
            "body": "Hola {{1}}, ¿cómo vas con la misión?",
            "variables": {"1": "Ana"},
            "status": WhatsAppTemplate.Status.APPROVED,
        },
    )


def whatsapp_campaign(
    fields: dict[str, Any], *, channels: tuple[str, ...] = ("whatsapp",)
) -> Campaign:
    """A campaign on `channels` whose WhatsApp message, in both languages, has `fields`."""
    template_catalogue()
    campaign = campaign_make(channels=channels)
    for locale in ("es-MX", "en"):
        services.campaign_message_set(
            campaign=campaign, channel="whatsapp", locale=locale, fields=fields
        )
    return campaign


def window_close(creators: list[Creator]) -> None:
    Creator.objects.filter(pk__in=[c.pk for c in creators]).update(
        whatsapp_window_open_until=timezone.now() - timedelta(seconds=1)
    )


def twilio_requests_by_creator(fakes: FakeProviders) -> dict[int, list[dict[str, Any]]]:
    """The WhatsApp messages the fake Twilio accepted, per creator id (from the delivery id in
    each StatusCallback URL)."""
    by_delivery: dict[int, list[dict[str, Any]]] = {}
    for entry in fakes.received("twilio", accepted=True):
        request = entry["request"]
        callback = request["StatusCallback"]
        callback = callback[-1] if isinstance(callback, list) else callback
        delivery_id = int(parse_qs(urlsplit(callback).query)["d"][0])
        by_delivery.setdefault(delivery_id, []).append(request)
    creator_of = dict(Delivery.objects.filter(pk__in=by_delivery).values_list("id", "creator_id"))
    out: dict[int, list[dict[str, Any]]] = {}
    for delivery_id, requests in by_delivery.items():
        out.setdefault(creator_of[delivery_id], []).extend(requests)
    return out


def content_variables(request: dict[str, Any]) -> dict[str, str]:
    return json.loads(request["ContentVariables"])
