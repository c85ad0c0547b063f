"""A realistic synthetic mix of tracking traffic for one campaign, recorded through the real
services: duplicates, machine opens, bot clicks, bursts, out-of-order provider events."""

from __future__ import annotations

import random
from datetime import timedelta

from campaigns.models import Campaign, Delivery
from tracking import services
from tracking.links import tracked_link_id
from tracking.models import Event

HUMAN = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile"


def traffic_play(campaign: Campaign, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    links = [tracked_link_id(f"https://shop.example/p/{n}") for n in range(4)]
    deliveries = list(Delivery.objects.filter(campaign=campaign).order_by("id"))
    for delivery in deliveries:
        base = delivery.sent_at
        assert base is not None, "traffic is played on sent deliveries"
        record = lambda _id=delivery.pk, **kw: services.event_record(delivery_id=_id, **kw)  # noqa: E731
        when = lambda _base=base: _base + timedelta(minutes=rng.randint(1, 60 * 30))  # noqa: E731
        if delivery.channel in ("email", "whatsapp") and rng.random() < 0.9:
            late = when()
            # out of order: a later delivered first, then the earlier one, then a replay
            record(kind="delivered", source="sendgrid", occurred_at=late, dedupe_key="delivered")
            record(
                kind="delivered",
                source="sendgrid",
                occurred_at=late - timedelta(hours=3),
                dedupe_key="delivered",
            )
        if delivery.channel == "email":
            if rng.random() < 0.3:
                services.event_record(
                    delivery_id=delivery.pk,
                    kind="opened",
                    source="sendgrid",
                    occurred_at=when(),
                    automated_reason="sg_machine_open",
                )
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                at = when()
                record(kind="opened", source="pixel", occurred_at=at, user_agent=HUMAN)
                record(kind="opened", source="sendgrid", occurred_at=at)  # the same open twice
            if rng.random() < 0.1:
                record(
                    kind="bounced",
                    source="sendgrid",
                    occurred_at=when(),
                    dedupe_key="fail",
                    error_code="bounce:5.1.1",
                )
            if rng.random() < 0.05:
                record(
                    kind="complained", source="sendgrid", occurred_at=when(), dedupe_key="complaint"
                )
            if rng.random() < 0.05:
                record(
                    kind="unsubscribed",
                    source="sendgrid",
                    occurred_at=when(),
                    dedupe_key="unsubscribe",
                )
        if delivery.channel == "whatsapp" and rng.random() < 0.6:
            record(kind="read", source="twilio", occurred_at=when(), dedupe_key="read")
        if delivery.channel == "whatsapp" and rng.random() < 0.1:
            record(
                kind="failed",
                source="twilio",
                occurred_at=when(),
                dedupe_key="fail",
                error_code="30003",
            )
        if delivery.channel in ("push", "inbox") and rng.random() < 0.5:
            key = "push-open" if delivery.channel == "push" else "inbox-read"
            record(kind="opened", source="app", occurred_at=when(), dedupe_key=key)
            record(kind="opened", source="app", occurred_at=when(), dedupe_key=key)
        # clicks: humans, scanners (agent), HEADs, one burst over every link, late earlier clicks
        if rng.random() < 0.15:
            at = base + timedelta(seconds=1)
            for link in links:
                record(
                    kind="clicked",
                    source="redirect",
                    occurred_at=at,
                    link_id=link,
                    user_agent=HUMAN,
                    detect_burst=True,
                )
        for _ in range(rng.choice([0, 0, 1, 2])):
            at = when()
            reason = rng.choice(["", "", "", "agent", "head"])
            record(
                kind="clicked",
                source="redirect",
                occurred_at=at,
                link_id=rng.choice(links),
                user_agent=HUMAN,
                automated_reason=reason,
                detect_burst=True,
            )
        if rng.random() < 0.1:
            record(
                kind="clicked",
                source="redirect",
                occurred_at=base + timedelta(minutes=2),
                link_id=links[0],
                user_agent=HUMAN,
                detect_burst=True,
            )
    assert Event.objects.filter(campaign=campaign).exists()
