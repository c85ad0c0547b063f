"""Faults during a send, with the whole stack running: a worker killed mid-send (kill -9) and
the broker unreachable while another campaign is launched.

Every delivery ends sent exactly once, or in a state that says why; what provably never
reached its provider is sent again; no process but the killed one goes down.

The broker outage: the stack's broker is the shared test Redis (other suites use it), so
the launch is pointed at a broker URL nobody listens on (`broker_unreachable`), which is
what a web process sees while Redis is down: the publish fails after commit. The worker and
beat keep their own connections; the watchdog (run here every second, as beat would) is
what has to notice the launch that never got its fan-out.
"""

from __future__ import annotations

import time
import urllib.request
from collections import Counter

import pytest

from campaigns import selectors, services, tasks
from campaigns.models import Campaign, Delivery
from tests.campaigns.outbox import delivery_ids_received
from tests.support.factories import campaign_make, creators_make
from tests.support.worker import broker_unreachable

pytestmark = pytest.mark.worker

PROVIDERS = {"whatsapp": "twilio", "email": "sendgrid", "push": "fcm"}
SETTLED = {"sent", "failed", "cancelled"}


def _states(campaign: Campaign) -> Counter[str]:
    return Counter(Delivery.objects.filter(campaign=campaign).values_list("status", flat=True))


def test_killed_worker_and_broker_outage_lose_nothing_and_send_nothing_twice(
    dispatch_rig, live_server, settings
):
    creators_make(200)
    big = campaign_make(channels=("whatsapp", "email", "push"), locales=("es-MX",))
    small = campaign_make(
        channels=("whatsapp",),
        locales=("es-MX",),
        name="Reto relámpago",
        rules={"all": [{"field": "level", "op": "eq", "value": 3}]},
    )
    fakes = dispatch_rig.fakes
    # Every provider takes 500 ms to answer, so a kill lands with messages on the wire.
    # Twilio posts no status callbacks (reconciliation has to ask it); SendGrid posts its
    # events, as it does for every message it accepts.
    fakes.set_behaviour("all", latency_ms=500)
    fakes.set_behaviour("twilio", callbacks={"enabled": False})
    fakes.set_behaviour("sendgrid", callbacks={"enabled": True, "delay_ms": 100})
    timing = {
        # Longer than a live worker keeps a chunk on the wire on this shared machine (a
        # second worker re-sending a backlog took 15 s), or the watchdog would take its sends
        # for lost ones, and reconciliation could look before the provider got them.
        "DISPATCH_LEASE_SECONDS": "20",
        "DISPATCH_HEARTBEAT_SECONDS": "3",
        "DISPATCH_RECONCILE_SECONDS": "4",
        "DISPATCH_BATCH_SIZE": "100",
    }
    for name, value in timing.items():
        setattr(settings, name, int(value))
    first = dispatch_rig.worker_start(**timing)

    services.campaign_launch(campaign=big)
    deadline = time.monotonic() + 60
    while (
        Delivery.objects.filter(campaign=big, status="sent").count() < 100
        or Delivery.objects.filter(campaign=big, status="sending").count() < 20
    ):
        assert time.monotonic() < deadline, (_states(big), dispatch_rig.worker_log())
        time.sleep(0.02)
    first.kill_hard()
    in_flight = set(
        Delivery.objects.filter(campaign=big, status="sending").values_list("id", flat=True)
    )
    assert in_flight, "the kill landed on nothing in flight"
    # The broker is unreachable while the second campaign is launched.
    with broker_unreachable():
        services.campaign_launch(campaign=small)
    small.refresh_from_db()
    assert (small.status, small.fanout_run) == ("sending", 0)

    second = dispatch_rig.worker_start(**timing)
    deadline = time.monotonic() + 90
    while True:
        tasks.dispatch_watchdog()  # what beat runs every DISPATCH_WATCHDOG_SECONDS
        big_states, small_states = _states(big), _states(small)
        open_rows = sum(
            states[name]
            for states in (big_states, small_states)
            for name in ("pending", "claimed", "sending")
        )
        unresolved = Delivery.objects.filter(
            campaign__in=[big, small], status="unknown", channel__in=["whatsapp", "email"]
        ).exists()
        statuses = set(
            Campaign.objects.filter(pk__in=[big.pk, small.pk]).values_list("status", flat=True)
        )
        if not open_rows and not unresolved and statuses == {"sent"}:
            break
        assert time.monotonic() < deadline, (
            big_states,
            small_states,
            statuses,
            Counter(Delivery.objects.filter(status="unknown").values_list("channel", "error_code")),
            dispatch_rig.worker_log(),
        )
        time.sleep(1)

    big_unknown = Delivery.objects.filter(campaign=big, status="unknown")

    deliveries = Delivery.objects.filter(campaign__in=[big, small])
    for channel, provider in PROVIDERS.items():
        received = delivery_ids_received(fakes, provider)
        # Nobody got a message twice.
        assert not received or max(received.values()) == 1, f"{provider} got a delivery twice"
        sent = set(deliveries.filter(channel=channel, status="sent").values_list("id", flat=True))
        if channel == "push":
            # FCM keeps no record: a push on the wire at the kill may have arrived; it stays
            # `unknown`, said so, and is never sent again.
            unknown = set(
                deliveries.filter(channel="push", status="unknown").values_list("id", flat=True)
            )
            assert sent <= set(received) <= sent | unknown
        else:
            # Everything the provider took is `sent`, and everything `sent` it took.
            assert sent == set(received), provider
    # Every delivery is settled, or `unknown` with its reason.
    for status, code in deliveries.values_list("status", "error_code"):
        assert status in SETTLED or (status == "unknown" and code), (status, code)
    assert not deliveries.exclude(status__in=[*SETTLED, "unknown"]).exists()
    # The launch made without a broker was fanned out and sent once the watchdog saw it.
    small_audience = deliveries.filter(campaign=small)
    assert small_audience.count() == small_audience.filter(status="sent").count() > 0

    # The finished campaign says how many are left to check, not plain "sent".
    to_check = big_unknown.count()
    assert set(big_unknown.values_list("channel", flat=True)) <= {"push"}
    assert set(
        selectors.deliveries_needing_attention(campaign=big).values_list("id", flat=True)
    ) >= set(big_unknown.values_list("id", flat=True))
    big.refresh_from_db()
    counts = selectors.campaign_delivery_counts(campaign=big)
    assert sum(channel.get("unknown", 0) for channel in counts.values()) == to_check

    # No process but the killed one went down.
    assert second.process.poll() is None, dispatch_rig.worker_log()
    with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=5) as response:
        assert response.status == 200
    assert fakes.stats()
