"""A launched campaign with a sequence over many creators, on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaigns import dispatch, fanout, services
from campaigns.models import Campaign, Delivery
from creators.models import Creator
from tests.support.factories import MESSAGES, campaign_make, creators_make
from tracking import services as tracking
from tracking.links import tracked_link_id

ZONES = ("America/Mexico_City", "America/Tijuana", "America/Cancun", "America/Hermosillo")
LAUNCH = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)
HUMAN = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile"


def step_messages(title: str) -> list[dict]:
    return [{"locale": locale, **MESSAGES["inbox"], "title": title} for locale in ("es-MX", "en")]


def campaign_with_creators(count: int) -> tuple[Campaign, dict[int, int]]:
    """An inbox campaign (a draft) to `count` creators in four zones.
    Returns the campaign and {creator id: index}."""
    creators = creators_make(count)
    for index, zone in enumerate(ZONES):
        Creator.objects.filter(pk__in=[c.pk for c in creators[index :: len(ZONES)]]).update(
            timezone=zone
        )
    campaign = campaign_make(channels=("inbox",))
    return campaign, {creator.pk: int(creator.handle.split("_")[1]) for creator in creators}


def launch(campaign: Campaign, *, now: datetime = LAUNCH) -> Campaign:
    services.campaign_launch(campaign=campaign)
    # The frozen clock: the launch happened at `now`.
    Campaign.objects.filter(pk=campaign.pk).update(launched_at=now)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run, now=now)
    return campaign


def send_all(campaign: Campaign) -> None:
    """Dispatch in-process everything due (the frozen clock is in the past: all of it)."""
    while dispatch.campaign_dispatch(campaign_id=campaign.pk).claimed:
        pass


def open_record(delivery: Delivery, at: datetime) -> None:
    tracking.event_record(
        delivery_id=delivery.pk, kind="opened", source="app", occurred_at=at, dedupe_key="read"
    )


def click_record(delivery: Delivery, at: datetime) -> None:
    tracking.event_record(
        delivery_id=delivery.pk,
        kind="clicked",
        source="redirect",
        occurred_at=at,
        link_id=tracked_link_id("https://shop.example/m/1"),
        user_agent=HUMAN,
    )


def creators_of(campaign: Campaign, *, step: int) -> set[int]:
    return set(
        Delivery.objects.filter(campaign=campaign, step=step).values_list("creator_id", flat=True)
    )


def hours(value: float) -> timedelta:
    return timedelta(hours=value)
