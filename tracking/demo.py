"""The demo's delivery reports, opens and clicks (`manage.py seed_demo`): for its sent deliveries, pixel
fetches and link clicks a few minutes to hours after each send, stored by the same bulk path
the tracking drain uses (`intake.hits_record`), so rollups, first_* and creator events are
what real traffic would leave. Drawn from one `random.Random(seed)`: same seed, same hits."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, Delivery
from tracking.intake import Hit, hits_record
from tracking.links import tracked_link_id, utm_add
from tracking.models import Event
from tracking.services import KEY_PUSH_OPEN, event_record, events_batched

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# Share of sent deliveries opened (the email pixel), per channel; share clicked, of the opened
# emails and of the sent WhatsApp messages.
OPEN_SHARE = {"email": 0.46}
CLICK_SHARE = {"email": 0.3, "whatsapp": 0.22}
CHUNK = 1000
DELIVERED_SHARE, READ_SHARE, PUSH_OPEN_SHARE = 0.97, 0.7, 0.18
SOURCES = {"email": Event.Source.SENDGRID, "whatsapp": Event.Source.TWILIO}


def _delivered_record(rows: list[tuple[int, int, str, datetime]], rng: random.Random) -> int:
    """The providers' word: most emails and WhatsApp messages delivered (SendGrid event,
    Twilio callback), some WhatsApp messages read; push has no delivery report, but the app
    reports some notifications opened."""
    recorded = 0
    now = timezone.now()
    with transaction.atomic(), events_batched():
        for delivery_id, _campaign_id, channel, sent_at in rows:
            if channel == "push" and rng.random() < PUSH_OPEN_SHARE:
                recorded += (
                    event_record(
                        delivery_id=delivery_id,
                        kind=Event.Kind.OPENED,
                        source=Event.Source.APP,
                        dedupe_key=KEY_PUSH_OPEN,
                        user_agent="Altavoz/3.2 (Android 14)",
                        occurred_at=min(now, sent_at + timedelta(minutes=rng.randint(1, 120))),
                    )
                    is not None
                )
            source = SOURCES.get(channel)
            if source is None or rng.random() >= DELIVERED_SHARE:
                continue
            at = min(now, sent_at + timedelta(seconds=rng.randint(2, 90)))
            recorded += (
                event_record(
                    delivery_id=delivery_id,
                    kind=Event.Kind.DELIVERED,
                    source=source,
                    occurred_at=at,
                )
                is not None
            )
            if channel == "whatsapp" and rng.random() < READ_SHARE:
                event_record(
                    delivery_id=delivery_id,
                    kind=Event.Kind.READ,
                    source=source,
                    occurred_at=min(now, at + timedelta(minutes=rng.randint(1, 180))),
                )
    return recorded


def tracking_demo_create(*, campaigns: list[Campaign], url: str, seed: int = 7) -> int:
    """Delivery reports, then opens and clicks of `url` (the demo's link) for the campaigns' sent deliveries;
    returns how many events were stored (deliveries, opens and clicks)."""
    rng = random.Random(seed)
    now = timezone.now()
    hits: list[Hit] = []
    links: dict[tuple[int, str], int] = {}
    rows = [
        (delivery_id, campaign_id, channel, sent_at or now)
        for delivery_id, campaign_id, channel, sent_at in Delivery.objects.filter(
            campaign__in=campaigns, status=Delivery.Status.SENT
        )
        .order_by("id")
        .values_list("id", "campaign_id", "channel", "sent_at")
    ]
    stored = _delivered_record(rows, rng)
    for delivery_id, campaign_id, channel, sent_at in rows:
        opened = rng.random() < OPEN_SHARE.get(channel, 0)
        clicked = rng.random() < CLICK_SHARE.get(channel, 0)
        at = sent_at + timedelta(minutes=rng.randint(3, 240))
        if opened and at < now:
            hits.append(Hit("open", delivery_id, None, "GET", BROWSER, "189.203.0.1", at))
        if clicked and (opened or channel != "email"):
            key = (campaign_id, channel)
            if key not in links:
                links[key] = tracked_link_id(utm_add(url, channel=channel, campaign_id=campaign_id))
            click_at = at + timedelta(minutes=rng.randint(1, 30))
            if click_at < now:
                hits.append(
                    Hit("click", delivery_id, links[key], "GET", BROWSER, "189.203.0.2", click_at)
                )
    for start in range(0, len(hits), CHUNK):
        stored += len(hits_record(hits=hits[start : start + CHUNK]) or [])
    return stored
