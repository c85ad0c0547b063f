"""The bulk drain (`tracking.intake.hits_record`) stores exactly what one
`open_pixel_record` / `click_record` call per hit stores: the same hits, replayed on two
identical campaigns, one hit at a time and in chunks, end with the same events, `first_*`
and rollups."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from campaigns import fanout
from campaigns.models import Campaign, Delivery
from campaigns.services import campaign_launch
from tests.support.factories import campaign_make
from tests.tracking.conftest import sent_campaign
from tracking import intake, services
from tracking.links import tracked_link_id
from tracking.models import Event, LinkRollup, Rollup

HUMAN = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile"
AGENTS = [HUMAN, HUMAN, HUMAN, "", "Mozilla/5.0", "Barracuda scanner", "python-requests/2.31"]


def hits_make(deliveries: list[Delivery], links: list[int], *, seed: int) -> list[intake.Hit]:
    """Opens and clicks in arrival order: repeats in the same minute, HEAD requests, machine
    agents, clicks within seconds of the send, bursts over several links, late hits that
    arrive after later ones."""
    rng = random.Random(seed)
    hits: list[intake.Hit] = []
    for position, delivery in enumerate(deliveries):
        sent_at = delivery.sent_at
        assert sent_at is not None
        for _ in range(rng.randint(0, 8)):
            if rng.random() < 0.1:
                at = sent_at + timedelta(seconds=rng.uniform(0, 4))  # too soon: a scanner
            else:
                at = sent_at + timedelta(minutes=rng.randint(1, 90), seconds=rng.uniform(0, 59))
            kind = rng.choice(["open", "click", "click"])
            hit = intake.Hit(
                kind=kind,
                delivery_id=position,  # replaced per campaign
                link_id=rng.choice(links) if kind == "click" else None,
                method="HEAD" if rng.random() < 0.1 else "GET",
                user_agent=rng.choice(AGENTS),
                ip=f"10.0.0.{rng.randint(1, 5)}",
                occurred_at=at,
            )
            hits.append(hit)
            if kind == "click" and rng.random() < 0.3:  # a burst: other links, same seconds
                for link in rng.sample(links, 2):
                    hits.append(
                        intake.Hit(
                            kind="click",
                            delivery_id=position,
                            link_id=link,
                            method="GET",
                            user_agent=HUMAN,
                            ip=hit.ip,
                            occurred_at=at + timedelta(seconds=rng.uniform(-1.5, 1.5)),
                        )
                    )
            if rng.random() < 0.2:  # the same hit again
                hits.append(hit)
    rng.shuffle(hits)
    return hits


def for_delivery(hit: intake.Hit, deliveries: list[Delivery]) -> intake.Hit:
    return intake.Hit(**{**hit.__dict__, "delivery_id": deliveries[hit.delivery_id].pk})


def one_by_one(hit: intake.Hit) -> None:
    if hit.kind == "open":
        services.open_pixel_record(
            delivery_id=hit.delivery_id,
            method=hit.method,
            user_agent=hit.user_agent,
            ip=hit.ip,
            occurred_at=hit.occurred_at,
        )
    else:
        assert hit.link_id is not None
        services.click_record(
            delivery_id=hit.delivery_id,
            link_id=hit.link_id,
            method=hit.method,
            user_agent=hit.user_agent,
            ip=hit.ip,
            occurred_at=hit.occurred_at,
        )


def outcome(campaign: Campaign) -> dict[str, object]:
    deliveries = list(Delivery.objects.filter(campaign=campaign).order_by("id"))
    position = {d.pk: n for n, d in enumerate(deliveries)}
    events = sorted(
        (
            position[e.delivery_id],
            e.kind,
            e.source,
            e.occurred_at,
            e.automated,
            e.automated_reason,
            e.link_id,
            e.dedupe_key,
            e.user_agent,
            e.ip_hash,
        )
        for e in Event.objects.filter(campaign=campaign)
    )
    firsts = [(d.first_opened_at, d.first_clicked_at) for d in deliveries]
    columns = services.ROLLUP_COLUMNS
    rollups = sorted(
        row
        for row in Rollup.objects.filter(campaign=campaign).values_list(
            "channel", "locale", "hour", *columns
        )
        if any(row[3:])
    )
    links = sorted(
        (r.link_id, r.clicks, r.bot_clicks)
        for r in LinkRollup.objects.filter(campaign=campaign)
        if r.clicks or r.bot_clicks
    )
    return {"events": events, "firsts": firsts, "rollups": rollups, "links": links}


def twin_campaigns() -> tuple[list[Delivery], list[Delivery]]:
    sent_at = datetime.fromisoformat("2026-03-02T10:00:00+00:00")
    twins = []
    for n in range(2):
        if n == 0:
            campaign = sent_campaign(count=12, channels=("email", "whatsapp"))
        else:  # the same creators again
            campaign = campaign_make(channels=("email", "whatsapp"))
            campaign_launch(campaign=campaign)
            campaign.refresh_from_db()
            fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
            Delivery.objects.filter(campaign=campaign).update(
                status=Delivery.Status.SENT, provider_message_id="pm"
            )
        Delivery.objects.filter(campaign=campaign).update(sent_at=sent_at)
        twins.append(list(Delivery.objects.filter(campaign=campaign).order_by("id")))
    return twins[0], twins[1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chunks_store_what_one_hit_at_a_time_stores(db, tracking_settings, seed):
    single, bulk = twin_campaigns()
    links = [tracked_link_id(f"https://shop.example/p/{n}") for n in range(4)]
    hits = hits_make(single, links, seed=seed)
    assert len(hits) > 50
    for hit in hits:
        one_by_one(for_delivery(hit, single))
    rng = random.Random(seed)
    start = 0
    while start < len(hits):
        size = rng.randint(1, 40)
        intake.hits_record(hits=[for_delivery(h, bulk) for h in hits[start : start + size]])
        start += size
    expected, got = outcome(single[0].campaign), outcome(bulk[0].campaign)
    assert got["events"] == expected["events"]
    assert got == expected
    assert any(e[5] == "burst" for e in got["events"])  # type: ignore[union-attr]


def test_a_chunk_recorded_twice_counts_once(db, tracking_settings):
    single, bulk = twin_campaigns()
    links = [tracked_link_id(f"https://shop.example/p/{n}") for n in range(3)]
    hits = [for_delivery(h, bulk) for h in hits_make(bulk, links, seed=4)]
    first = intake.hits_record(hits=hits, claim="chunk-1")
    assert first
    before = outcome(bulk[0].campaign)
    assert intake.hits_record(hits=hits, claim="chunk-1") is None
    assert outcome(bulk[0].campaign) == before


def test_hits_of_an_unknown_delivery_store_nothing(db, tracking_settings):
    hit = intake.Hit(
        kind="open",
        delivery_id=2**62,
        link_id=None,
        method="GET",
        user_agent=HUMAN,
        ip="",
        occurred_at=datetime.fromisoformat("2026-03-02T10:00:00+00:00"),
    )
    assert intake.hits_record(hits=[hit]) == []
    assert not Event.objects.exists()


def test_first_human_open_and_click_are_emitted_once(db, tracking_settings):
    from events.models import Event as CreatorEvent

    single, bulk = twin_campaigns()
    delivery = bulk[0]
    link = tracked_link_id("https://shop.example/p/0")
    assert delivery.sent_at is not None
    at = delivery.sent_at + timedelta(minutes=5)

    def hit(kind: str, minutes: int, agent: str = HUMAN) -> intake.Hit:
        return intake.Hit(
            kind=kind,
            delivery_id=delivery.pk,
            link_id=link if kind == "click" else None,
            method="GET",
            user_agent=agent,
            ip="10.0.0.1",
            occurred_at=at + timedelta(minutes=minutes),
        )

    intake.hits_record(hits=[hit("open", 0, agent="Mozilla/5.0")])  # a proxy: not a person
    assert not CreatorEvent.objects.exists()
    intake.hits_record(hits=[hit("open", 1), hit("open", 2), hit("click", 3)])
    intake.hits_record(hits=[hit("open", -1), hit("click", 4)])  # earlier, later: no new event
    emitted = sorted(
        (e.name, e.creator_id, e.props["delivery_id"], e.props["campaign_id"], e.occurred_at)
        for e in CreatorEvent.objects.all()
    )
    assert emitted == [
        (
            "message_clicked",
            delivery.creator_id,
            delivery.pk,
            delivery.campaign_id,
            hit("click", 3).occurred_at,
        ),
        (
            "message_opened",
            delivery.creator_id,
            delivery.pk,
            delivery.campaign_id,
            hit("open", 1).occurred_at,
        ),
    ]
