"""Campaign test data built through the real services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign
from creators.models import Creator, Device
from segments.services import segment_create

MESSAGES: dict[str, dict[str, Any]] = {
    "email": {
        "subject": "¡Hola {{ creator.first_name }}! Nueva misión",
        "html": '<p>Hola {{ creator.first_name }}, <a href="https://shop.example/m/1">únete</a>.</p>',
    },
    "whatsapp": {
        "body": "Hola {{ creator.first_name }}, tu nivel es {{ creator.level }}. https://shop.example/m/1"
    },
    "push": {
        "title": "Misión nueva",
        "body": "{{ creator.first_name }}, entra ya",
        "link": "https://shop.example/m/1",
    },
    "inbox": {
        "title": "Misión de noviembre",
        "body": "Hola {{ creator.first_name }}",
        "cta_label": "Ver",
        "cta_link": "https://shop.example/m/1",
    },
}


def creators_make(
    count: int,
    *,
    start: int = 0,
    consent: str = "granted",
    devices: bool = True,
    whatsapp_window: bool = True,
) -> list[Creator]:
    """`count` creators, consented on every channel. `whatsapp_window`: each wrote to us on
    WhatsApp just now, so free-text WhatsApp reaches them (campaigns/whatsapp_window.py);
    tests of the window itself pass False and open it creator by creator."""
    window_open_until = timezone.now() + timedelta(hours=24) if whatsapp_window else None
    creators = Creator.objects.bulk_create(
        Creator(
            handle=f"creador_{index}",
            name=f"Creadora {index}",
            email=f"creadora{index}@example.com",
            phone=f"+5255{index:08d}",
            locale="en" if index % 5 == 0 else "es-MX",
            consent_email=consent,
            consent_whatsapp=consent,
            consent_push=consent,
            level=index % 8,
            whatsapp_window_open_until=window_open_until,
        )
        for index in range(start, start + count)
    )
    if devices:
        Device.objects.bulk_create(
            Device(creator=creator, token=f"device-token-{creator.handle}", platform="android")
            for creator in creators
        )
    return creators


def campaign_make(
    *,
    channels: tuple[str, ...] = ("email", "whatsapp", "push", "inbox"),
    locales=("es-MX", "en"),
    rules: dict | None = None,
    name: str = "Misión de noviembre",
) -> Campaign:
    segment = segment_create(
        name=f"{name} audience",
        rules=rules or {"all": [{"field": "level", "op": "gte", "value": 0}]},
    )
    return services.campaign_create(
        owner=None,
        name=name,
        kind=Campaign.Kind.MISSION,
        segment=segment,
        messages=[
            {"channel": channel, "locale": locale, **MESSAGES[channel]}
            for channel in channels
            for locale in locales
        ],
    )
