"""The WhatsApp 24-hour window through a real Celery worker, checked at the fake Twilio: with
a body and a template, the body goes to creators inside the window and the template to the
others; a body-only message never reaches a creator outside it."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from campaigns import services
from campaigns.models import Campaign, Delivery, FanoutSkip
from tests.campaigns.window import (
    BODY_ONLY,
    BOTH,
    TEMPLATE_SID,
    content_variables,
    creators_with_windows,
    twilio_requests_by_creator,
    whatsapp_campaign,
)

pytestmark = pytest.mark.worker


def _wait_until_sent(campaign: Campaign, rig, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.SENT:
            return
        time.sleep(0.3)
    states = Counter(Delivery.objects.filter(campaign=campaign).values_list("status", flat=True))
    raise AssertionError(f"still {campaign.status} ({states}); worker log:\n{rig.worker_log()}")


def test_body_goes_inside_the_window_and_the_template_outside(dispatch_rig):
    inside, outside = creators_with_windows(6)
    campaign = whatsapp_campaign(BOTH)
    dispatch_rig.worker_start()

    services.campaign_launch(campaign=campaign)
    _wait_until_sent(campaign, dispatch_rig)

    received = twilio_requests_by_creator(dispatch_rig.fakes)
    assert sorted(received) == sorted(c.pk for c in inside + outside)
    assert all(len(requests) == 1 for requests in received.values())
    for creator in inside:
        [request] = received[creator.pk]
        assert request["To"] == f"whatsapp:{creator.phone}"
        assert request["Body"].startswith("Hola Creadora, ¿cómo vas con la misión? http")
        assert "ContentSid" not in request and "ContentVariables" not in request
    for creator in outside:
        [request] = received[creator.pk]
        assert request["To"] == f"whatsapp:{creator.phone}"
        assert request["ContentSid"] == TEMPLATE_SID
        assert content_variables(request) == {"1": "Creadora"}
        assert "Body" not in request
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    # Every request was valid against Twilio's published contract.
    assert dispatch_rig.fakes.received("twilio", accepted=False) == []
    assert not FanoutSkip.objects.filter(
        reason=FanoutSkip.Reason.OUTSIDE_WHATSAPP_WINDOW, count__gt=0
    )


def test_body_only_never_reaches_a_creator_outside_the_window(dispatch_rig, admin_client):
    inside, outside = creators_with_windows(6)
    campaign = whatsapp_campaign(BODY_ONLY)
    dispatch_rig.worker_start()

    services.campaign_launch(campaign=campaign)
    _wait_until_sent(campaign, dispatch_rig)

    received = twilio_requests_by_creator(dispatch_rig.fakes)
    assert sorted(received) == sorted(c.pk for c in inside)
    sent_to = {entry["request"]["To"] for entry in dispatch_rig.fakes.received("twilio")}
    assert sent_to == {f"whatsapp:{c.phone}" for c in inside}
    assert not Delivery.objects.filter(creator__in=outside).exists()
    skip = FanoutSkip.objects.get(
        campaign=campaign, channel="whatsapp", reason=FanoutSkip.Reason.OUTSIDE_WHATSAPP_WINDOW
    )
    assert skip.count == len(outside)

    # Shown among the "left out" counts of the stats page, with its reason.
    html = admin_client.get(
        f"/stats/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    row = re.search(
        r'<tr data-channel="whatsapp" data-reason="outside_whatsapp_window">(.*?)</tr>', html, re.S
    )
    assert row is not None, html
    assert "Outside the WhatsApp 24-hour window" in row.group(1)
    assert f'data-figure="skipped">{len(outside)}<' in row.group(1)
