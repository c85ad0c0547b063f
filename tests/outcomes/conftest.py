"""A campaign fanned out for real to 400 creators, 30% held out and variants A/B (the same
creators each run), sent 20 days ago (a tenth of them a day later), and a GMV row per creator and day
around it, with +10 MXN a day planted on the sent creators from their send day on."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns import fanout
from campaigns.models import Campaign, Delivery
from programs.models import CreatorMetric
from tests.campaigns.test_policy_variants import _ab_campaign
from tests.support.factories import creators_make

PLANTED_PER_DAY = 10


@dataclass
class Measured:
    campaign: Campaign
    day0: dict[int, date]  # creator id → its send day
    sent: dict[int, bool]
    values: dict[tuple[int, date], float]


@pytest.fixture
def measured(db) -> Measured:
    creators = creators_make(400, devices=False)
    campaign = _ab_campaign(weights={"A": 50, "B": 50}, holdout=30)
    fanout.deliveries_create(campaign=campaign, run=1)
    Campaign.objects.filter(pk=campaign.pk).update(last_run=1, status=Campaign.Status.SENT)
    campaign.refresh_from_db()
    send_day = timezone.localdate() - timedelta(days=20)
    launched = datetime.combine(send_day, time(10), tzinfo=timezone.get_current_timezone())
    # Fan-out's holdout depends on the campaign's id; the same creators every time keep the
    # figures (and whether the interval holds the planted effect) the same on every run.
    ids = [creator.pk for creator in creators]
    Delivery.objects.update(created_at=launched)
    Delivery.objects.filter(creator_id__in=ids[0::2]).update(
        status=Delivery.Status.SENT, sent_at=launched, variant="A"
    )
    Delivery.objects.filter(creator_id__in=ids[1::2]).update(
        status=Delivery.Status.SENT, sent_at=launched, variant="B"
    )
    Delivery.objects.filter(creator_id__in=ids[3::10]).update(sent_at=launched + timedelta(days=1))
    held = [pk for index, pk in enumerate(ids) if index % 10 in (0, 5, 7)]
    Delivery.objects.filter(creator_id__in=held).update(
        status=Delivery.Status.HOLDOUT, sent_at=None, variant=""
    )
    day0, sent = {}, {}
    for creator_id, status, sent_at, created_at in Delivery.objects.values_list(
        "creator_id", "status", "sent_at", "created_at"
    ):
        sent[creator_id] = status == Delivery.Status.SENT
        day0[creator_id] = timezone.localtime(sent_at or created_at).date()
    rng = random.Random(5)
    rows, values = [], {}
    for creator in creators:
        usual = rng.uniform(20, 200)
        for offset in range(-18, 18):  # a few days outside both windows too
            day = send_day + timedelta(days=offset)
            if rng.random() < 0.05:
                continue  # no row that day: counts as 0
            value = usual * rng.uniform(0.9, 1.1)
            if sent.get(creator.pk) and day >= day0[creator.pk]:
                value += PLANTED_PER_DAY
            value = round(value, 2)
            values[(creator.pk, day)] = value
            rows.append(
                CreatorMetric(
                    creator=creator, date=day, metric="gmv", value=Decimal(f"{value:.2f}")
                )
            )
    CreatorMetric.objects.bulk_create(rows)
    return Measured(campaign=campaign, day0=day0, sent=sent, values=values)


@pytest.fixture(autouse=True)
def outcome_cache_empty():
    """Each test computes its outcomes afresh (the cache is this helper's Redis database)."""
    cache.clear()
    yield
    cache.clear()


def holdout_campaign_make(*, creators: int, holdout: int) -> Campaign:
    """A campaign fanned out to `creators` creators with `holdout` % held out, the rest sent
    10 days ago; no metrics."""
    creators_make(creators, devices=False)
    campaign = _ab_campaign(weights={"A": 100}, holdout=holdout)
    fanout.deliveries_create(campaign=campaign, run=1)
    Campaign.objects.filter(pk=campaign.pk).update(last_run=1, status=Campaign.Status.SENT)
    Delivery.objects.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENT, sent_at=timezone.now() - timedelta(days=10)
    )
    campaign.refresh_from_db()
    return campaign
