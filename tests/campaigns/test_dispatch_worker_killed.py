"""kill -9 of the worker mid-campaign: nothing sent twice, nothing lost, in-flight rows settle."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from campaigns import selectors, services, tasks
from campaigns.models import Campaign, Delivery
from tests.campaigns.outbox import delivery_ids_received
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.worker

LIMITS = "twilio=400,sendgrid=0,fcm=0,smtp=0,inbox=0"


def test_killed_worker_leaves_unknown_rows_that_callbacks_settle(dispatch_rig, settings):
    creators_make(3_000, devices=False)
    campaign = campaign_make(channels=("whatsapp",))
    fakes = dispatch_rig.fakes
    # A real provider's latency keeps messages in flight at any moment; its first status
    # callback comes after the watchdog has marked the lost rows `unknown`.
    fakes.set_behaviour("twilio", latency_ms=1000, callbacks={"enabled": True, "delay_ms": 8000})
    lease = {
        "DISPATCH_LEASE_SECONDS": "3",
        "DISPATCH_HEARTBEAT_SECONDS": "3",
        "DISPATCH_BATCH_SIZE": "200",
    }
    settings.DISPATCH_LEASE_SECONDS = 3
    settings.DISPATCH_HEARTBEAT_SECONDS = 3
    worker = dispatch_rig.worker_start(PROVIDER_RATE_LIMITS=LIMITS, **lease)

    services.campaign_launch(campaign=campaign)
    deadline = time.monotonic() + 120
    while (
        Delivery.objects.filter(campaign=campaign, status="sent").count() < 600
        or not Delivery.objects.filter(campaign=campaign, status="sending").exists()
    ):
        assert time.monotonic() < deadline, dispatch_rig.worker_log()
        time.sleep(0.02)
    worker.kill_hard()
    in_flight = set(
        Delivery.objects.filter(campaign=campaign, status="sending").values_list("id", flat=True)
    )
    assert in_flight, "nothing was in flight when the worker died"

    time.sleep(4)  # past the lease and the heartbeat, before the first callback
    # The watchdog (beat runs it every DISPATCH_WATCHDOG_SECONDS) marks the rows the dead
    # worker had on the wire `unknown`, and re-queues the campaign for the next worker.
    tasks.dispatch_watchdog()
    assert not Delivery.objects.filter(
        campaign=campaign, status__in=["claimed", "sending"]
    ).exists()
    unknown = set(
        Delivery.objects.filter(campaign=campaign, status="unknown").values_list("id", flat=True)
    )
    assert unknown == in_flight
    dispatch_rig.worker_start(PROVIDER_RATE_LIMITS=LIMITS, **lease)

    deadline = time.monotonic() + 180
    while True:
        received = delivery_ids_received(fakes, "twilio")
        states = Counter(
            Delivery.objects.filter(campaign=campaign).values_list("status", flat=True)
        )
        settled = not (
            set(received)
            & set(Delivery.objects.filter(status="unknown").values_list("id", flat=True))
        )
        if states["pending"] == states["claimed"] == states["sending"] == 0 and settled:
            break
        assert time.monotonic() < deadline, (states, dispatch_rig.worker_log())
        time.sleep(0.5)

    # Read the fake's outbox again: the last batch may have landed after the loop's snapshot.
    received = delivery_ids_received(fakes, "twilio")
    # Nothing sent twice: the new worker never re-sent what the dead one had on the wire.
    assert max(received.values()) == 1, "a delivery reached Twilio twice"
    # Nothing lost: every delivery reached Twilio and is `sent`, or is `unknown` and listed
    # for ops (it was marked `sending` but the worker died before its request went out).
    sent = set(
        Delivery.objects.filter(campaign=campaign, status="sent").values_list("id", flat=True)
    )
    still_unknown = set(
        Delivery.objects.filter(campaign=campaign, status="unknown").values_list("id", flat=True)
    )
    assert sent == set(received)
    assert sent | still_unknown == set(
        Delivery.objects.filter(campaign=campaign).values_list("id", flat=True)
    )
    assert still_unknown <= in_flight
    assert (
        set(selectors.deliveries_needing_attention(campaign=campaign).values_list("id", flat=True))
        == still_unknown
    )
    # The in-flight rows Twilio did get were settled by its status callbacks, not re-sent.
    settled_by_callback = Delivery.objects.filter(pk__in=in_flight & sent)
    assert settled_by_callback.exists()
    assert all(
        row.provider_message_id.startswith("SM") and row.attempts == 1
        for row in settled_by_callback
    )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
