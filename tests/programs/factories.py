"""Program test data built through the real services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from campaigns import services as campaign_services
from campaigns.models import Campaign
from programs import services
from programs.models import Program
from segments.services import segment_create

PERIOD = (date(2026, 11, 1), date(2026, 11, 30))


def program_make(
    *,
    name: str = "Misión noviembre",
    kind: str = Campaign.Kind.MISSION,
    messages: list[dict[str, Any]] | None = None,
    rules: dict | None = None,
    **fields: Any,
) -> Program:
    segment = segment_create(
        name=f"{name} audience",
        rules=rules or {"all": [{"field": "level", "op": "gte", "value": 0}]},
    )
    campaign = campaign_services.campaign_create(
        owner=None,
        name=name,
        kind=kind,
        segment=segment,
        messages=messages
        if messages is not None
        else [{"channel": "inbox", "locale": "es-MX", "title": "Hola", "body": "Vamos"}],
    )
    defaults: dict[str, Any] = {"metric": "gmv", "threshold": Decimal("1000")}
    defaults.update(fields)
    return services.program_save(
        campaign=campaign, starts_on=PERIOD[0], ends_on=PERIOD[1], **defaults
    )
