"""Segment behaviour leaves over deliveries: `received`, `opened`, `clicked` a campaign.

segments sits below campaigns, so these are registered from CampaignsConfig.ready()
(segments/leaves.py). Each compiles to one `EXISTS` over the creator's deliveries:
received = a delivery of the campaign(s) was sent (status `sent`, `sent_at` in the window);
opened / clicked = a human open / click was recorded (`first_opened_at` /
`first_clicked_at` in the window, set by tracking).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Delivery
from segments.leaves import (
    Behaviour,
    Params,
    behaviour_register,
    campaign_check,
    campaign_filter,
    campaign_params,
    campaign_text,
    since,
    window_text,
)


def campaign_kinds() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Campaign.Kind.choices]


def _delivery_exists(params: Params, now: datetime, *, column: str) -> Q:
    start = since(params, now)
    condition = (
        Q(**{f"{column}__gte": start}) if start is not None else Q(**{f"{column}__isnull": False})
    )
    if column == "sent_at":
        condition &= Q(status=Delivery.Status.SENT)
    deliveries = Delivery.objects.filter(
        condition, campaign_filter(params), creator_id=OuterRef("pk")
    )
    return Q(Exists(deliveries))


def _describe(phrase: Callable[[], str], params: Params) -> str:
    return phrase() % {"campaign": campaign_text(params, campaign_kinds)} + window_text(params)


def segment_leaves_register() -> None:
    for name, column, label, phrase in (
        ("received", "sent_at", lambda: _("Received"), lambda: _("received %(campaign)s")),
        ("opened", "first_opened_at", lambda: _("Opened"), lambda: _("opened %(campaign)s")),
        ("clicked", "first_clicked_at", lambda: _("Clicked"), lambda: _("clicked %(campaign)s")),
    ):
        behaviour_register(
            Behaviour(
                name=name,
                label=label,
                params=campaign_params(campaign_kinds),
                check=campaign_check,
                compile=partial(_delivery_exists, column=column),
                describe=partial(_describe, phrase),
            )
        )
