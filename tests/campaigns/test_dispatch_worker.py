"""A campaign over all four channels through a real Celery worker, Redis and the HTTP fakes."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from campaigns import services
from campaigns.models import Campaign, Delivery
from channels.models import InboxMessage
from tests.campaigns.outbox import delivery_ids_received
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.worker


def wait_until_settled(campaign: Campaign, rig, timeout: float) -> Campaign:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.SENT:
            return campaign
        time.sleep(0.5)
    states = Counter(Delivery.objects.filter(campaign=campaign).values_list("channel", "status"))
    raise AssertionError(
        f"campaign still {campaign.status} after {timeout}s ({states}); worker log:\n{rig.worker_log()}"
    )


def test_campaign_reaches_every_creator_once_on_every_channel(dispatch_rig):
    creators_make(10_000)
    campaign = campaign_make()
    dispatch_rig.worker_start()

    services.campaign_launch(campaign=campaign)
    campaign = wait_until_settled(campaign, dispatch_rig, timeout=240)

    deliveries = Delivery.objects.filter(campaign=campaign)
    assert deliveries.count() == 40_000
    assert set(deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    for provider, channel in (("twilio", "whatsapp"), ("sendgrid", "email"), ("fcm", "push")):
        received = delivery_ids_received(dispatch_rig.fakes, provider)
        expected = set(deliveries.filter(channel=channel).values_list("id", flat=True))
        assert set(received) == expected, provider
        assert max(received.values()) == 1, f"{provider} got a delivery twice"
        # Every request was valid against the provider's published contract.
        assert dispatch_rig.fakes.received(provider, accepted=False) == [], provider
    assert InboxMessage.objects.count() == 10_000

    # Launching again is refused and sends nothing more.
    with pytest.raises(Exception, match="cannot be launched"):
        services.campaign_launch(campaign=campaign)
    time.sleep(2)
    assert len(delivery_ids_received(dispatch_rig.fakes, "twilio")) == 10_000
    assert Delivery.objects.filter(campaign=campaign).count() == 40_000
