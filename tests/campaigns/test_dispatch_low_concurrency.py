"""A provider allowed only a few connections: batches in flight share the slots, and finish."""

from __future__ import annotations

import threading

from django.db import connections

from campaigns import dispatch, fanout, services
from campaigns.models import Campaign, Delivery
from tests.campaigns.outbox import delivery_ids_received
from tests.support.factories import campaign_make, creators_make


def dispatch_within(campaign_id: int, seconds: float) -> dispatch.DispatchReport:
    """Dispatch in a thread of its own, so a deadlock fails the test instead of hanging it
    (a stuck event loop never returns to Python code for an alarm to interrupt)."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["report"] = dispatch.campaign_dispatch(campaign_id=campaign_id)
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"dispatch did not finish in {seconds:.0f} s"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["report"]  # type: ignore[return-value]


def test_concurrency_below_two_chunks_sends_everything_once(dispatch_rig, settings):
    # Two batches in flight, each wanting chunks of 6 out of 8 slots: taking slots item by
    # item in both at once left each holding part of a chunk and waiting for the other.
    settings.CHANNEL_CONCURRENCY = 8
    settings.DISPATCH_SEND_CHUNK = 6
    settings.DISPATCH_BATCH_SIZE = 20
    settings.DISPATCH_BATCHES_IN_FLIGHT = 2
    creators_make(200, devices=False)
    campaign = campaign_make(channels=("whatsapp",))
    dispatch_rig.fakes.set_behaviour("twilio", latency_ms=5, callbacks={"enabled": False})
    services.campaign_launch(campaign=campaign)  # no worker runs: dispatch is ours to call
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)

    report = dispatch_within(campaign.pk, 60)

    assert report.outcomes["sent"] == 200
    assert set(Delivery.objects.filter(campaign=campaign).values_list("status", flat=True)) == {
        "sent"
    }
    received = delivery_ids_received(dispatch_rig.fakes, "twilio")
    assert len(received) == 200 and max(received.values()) == 1
