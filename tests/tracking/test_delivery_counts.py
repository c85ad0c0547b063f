"""A campaign page's delivery counts: a snapshot once the campaign finished (never counted
again on a page view), dropped by a late provider verdict, retaken after a re-send; a
sending campaign's counts kept warm in the cache by the beat task."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, Delivery
from campaigns.runs import campaign_finish_if_done
from tests.tracking.conftest import sent_campaign
from tracking.counts import delivery_counts_get, delivery_counts_warm
from tracking.models import DeliveryCountsSnapshot
from tracking.services import delivery_settle_from_provider


def _finished(count: int = 6) -> Campaign:
    campaign = sent_campaign(count=count, channels=("email", "whatsapp"))
    assert campaign_finish_if_done(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def _counted_deliveries(queries: CaptureQueriesContext) -> int:
    return sum("GROUP BY" in q["sql"] and "campaigns_delivery" in q["sql"] for q in queries)


@pytest.mark.django_db
def test_the_warm_task_snapshots_a_finished_campaign_and_pages_read_it(settings):
    campaign = _finished()
    assert delivery_counts_warm() == 1
    assert delivery_counts_warm() == 0  # nothing left to do

    with CaptureQueriesContext(connection) as queries:
        counts = delivery_counts_get(campaign=campaign)
    assert _counted_deliveries(queries) == 0
    assert counts["counts"]["email|es-MX|"]["sent"] + counts["counts"]["email|en|"]["sent"] == 6


@pytest.mark.django_db
def test_a_late_provider_verdict_drops_the_snapshot():
    campaign = _finished()
    delivery_counts_warm()
    late = Delivery.objects.filter(campaign=campaign, channel="whatsapp").first()
    Delivery.objects.filter(pk=late.pk).update(status=Delivery.Status.UNKNOWN)
    # The snapshot still says what it saw: nothing re-counts behind its back.
    before = delivery_counts_get(campaign=campaign)

    assert delivery_settle_from_provider(delivery_id=late.pk, accepted=False, error_code="63016")

    assert not DeliveryCountsSnapshot.objects.filter(campaign=campaign).exists()
    after = delivery_counts_get(campaign=campaign)
    refused = sum(e["refused"] for k, e in after["counts"].items() if k.startswith("whatsapp"))
    assert refused == 1
    assert before != after
    assert after["refusals"] == {"whatsapp|63016": 1}


@pytest.mark.django_db
def test_a_new_finish_takes_a_new_snapshot():
    campaign = _finished()
    delivery_counts_warm()
    first = DeliveryCountsSnapshot.objects.get(campaign=campaign)
    # A re-send reopens the campaign; it finishes again with one more failure.
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
    Delivery.objects.filter(pk=Delivery.objects.filter(campaign=campaign).first().pk).update(
        status=Delivery.Status.FAILED, error_code="550"
    )
    assert campaign_finish_if_done(campaign_id=campaign.pk)
    campaign.refresh_from_db()

    counts = delivery_counts_get(campaign=campaign)

    assert campaign.finished_at > first.finished_at
    assert sum(e["refused"] for e in counts["counts"].values()) == 1
    assert DeliveryCountsSnapshot.objects.get(campaign=campaign).finished_at == campaign.finished_at


@pytest.mark.django_db
def test_the_warm_task_fills_the_cache_for_sending_campaigns(settings):
    settings.TRACKING_DELIVERY_COUNTS_TTL = 30
    cache.clear()
    campaign = sent_campaign(count=4, channels=("email",))
    assert campaign.status == Campaign.Status.SENDING
    assert delivery_counts_warm() == 1

    with CaptureQueriesContext(connection) as queries:
        counts = delivery_counts_get(campaign=campaign)
    assert _counted_deliveries(queries) == 0
    assert sum(e["targeted"] for e in counts["counts"].values()) == 4
    assert not DeliveryCountsSnapshot.objects.exists()  # running campaigns get no snapshot


@pytest.mark.django_db
def test_policy_counts_come_from_the_snapshot_too():
    from tracking.experiments import policy_counts_get

    campaign = _finished()
    Delivery.objects.filter(pk=Delivery.objects.filter(campaign=campaign).first().pk).update(
        status=Delivery.Status.HOLDOUT
    )
    delivery_counts_warm()

    with CaptureQueriesContext(connection) as queries:
        counts = policy_counts_get(campaign=campaign)
    assert _counted_deliveries(queries) == 0
    assert counts == {"skipped_cap": 0, "holdout": 1}
