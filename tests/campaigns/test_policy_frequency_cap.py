"""Frequency caps: at most N messages per creator per channel in the rolling window, checked at
fan-out and again at claim time, under concurrency; every capped delivery is `skipped_cap`."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.db import connection

from campaigns import dispatch, fanout, policies
from campaigns.models import Campaign, Delivery
from tests.support.factories import campaign_make, creators_make

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def _concurrently(*calls) -> None:
    """Run each call in its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _two_overlapping_campaigns() -> tuple[Campaign, Campaign]:
    creators_make(300)
    # creador_0..199 and creador_100..299: 100 creators in both.
    first = campaign_make(
        channels=("inbox", "push"),
        name="Primera",
        rules={
            "all": [
                {"field": "level", "op": "gte", "value": 0},
                {"field": "handle", "op": "in", "value": [f"creador_{i}" for i in range(0, 200)]},
            ]
        },
    )
    second = campaign_make(
        channels=("inbox", "push"),
        name="Segunda",
        rules={
            "all": [
                {"field": "level", "op": "gte", "value": 0},
                {"field": "handle", "op": "in", "value": [f"creador_{i}" for i in range(100, 300)]},
            ]
        },
    )
    return first, second


def _per_creator_channel(statuses) -> Counter:
    return Counter(
        Delivery.objects.filter(status__in=statuses).values_list("creator_id", "channel")
    )


def test_concurrent_fanouts_never_exceed_the_cap(transactional_db, settings):
    settings.FREQUENCY_CAP = 1
    first, second = _two_overlapping_campaigns()

    _concurrently(
        lambda: fanout.deliveries_create(campaign=first, run=1, now=NOW),
        lambda: fanout.deliveries_create(campaign=second, run=1, now=NOW),
    )

    planned = _per_creator_channel([Delivery.Status.PENDING])
    assert max(planned.values()) == 1
    # Every creator × channel of both campaigns is accounted for: 200 + 200 per channel.
    assert Delivery.objects.count() == 800
    skipped = Delivery.objects.filter(status=Delivery.Status.SKIPPED_CAP)
    assert skipped.count() == 200  # the 100 shared creators, on two channels
    assert set(Counter(skipped.values_list("channel", flat=True)).items()) == {
        ("inbox", 100),
        ("push", 100),
    }


def test_claims_recheck_the_cap_under_concurrency(transactional_db, settings):
    # Both fanned out before the cap was turned on: only the claim can hold it now.
    first, second = _two_overlapping_campaigns()
    fanout.deliveries_create(campaign=first, run=1, now=NOW)
    fanout.deliveries_create(campaign=second, run=1, now=NOW)
    settings.FREQUENCY_CAP = 1
    cap = policies.campaign_frequency_cap(first)
    claimed: dict[int, list] = {}

    def claim_all(campaign: Campaign) -> None:
        rows = []
        while batch := dispatch.deliveries_claim(
            campaign_id=campaign.pk,
            run=1,
            limit=37,
            now=NOW,
            cap=cap,
            cap_channels=("inbox", "push"),
        ):
            rows += batch
        claimed[campaign.pk] = rows

    _concurrently(lambda: claim_all(first), lambda: claim_all(second))

    in_flight = _per_creator_channel([Delivery.Status.CLAIMED])
    assert max(in_flight.values()) == 1
    assert len(claimed[first.pk]) + len(claimed[second.pk]) == 600
    assert Delivery.objects.filter(status=Delivery.Status.SKIPPED_CAP).count() == 200
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()


def test_cap_counts_only_the_rolling_window(db, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_WINDOW_HOURS = 1, 24
    creators_make(10, devices=False)
    earlier = campaign_make(channels=("inbox",), name="Ayer")
    fanout.deliveries_create(campaign=earlier, run=1, now=NOW - timedelta(hours=30))
    Delivery.objects.update(status=Delivery.Status.SENT, sent_at=NOW - timedelta(hours=30))
    later = campaign_make(channels=("inbox",), name="Hoy")

    fanout.deliveries_create(campaign=later, run=1, now=NOW)

    assert set(Delivery.objects.filter(campaign=later).values_list("status", flat=True)) == {
        Delivery.Status.PENDING
    }


def test_kind_override_and_transactional_exemption(db, settings):
    settings.FREQUENCY_CAP = 1
    settings.FREQUENCY_CAP_BY_KIND = {"announcement": 2}
    creators_make(5, devices=False)
    for name in ("Uno", "Dos"):
        campaign = campaign_make(channels=("inbox",), name=name)
        Campaign.objects.filter(pk=campaign.pk).update(kind=Campaign.Kind.ANNOUNCEMENT)
        campaign.refresh_from_db()
        fanout.deliveries_create(campaign=campaign, run=1, now=NOW)
    third = campaign_make(channels=("inbox",), name="Tres")
    Campaign.objects.filter(pk=third.pk).update(kind=Campaign.Kind.ANNOUNCEMENT)
    third.refresh_from_db()
    fanout.deliveries_create(campaign=third, run=1, now=NOW)
    receipt = campaign_make(channels=("inbox",), name="Recibo")
    receipt.transactional = True
    receipt.save()
    fanout.deliveries_create(campaign=receipt, run=1, now=NOW)

    by_campaign = Counter(Delivery.objects.values_list("campaign__name", "status"))
    assert by_campaign == {
        ("Uno", "pending"): 5,
        ("Dos", "pending"): 5,
        ("Tres", "skipped_cap"): 5,
        ("Recibo", "pending"): 5,
    }
