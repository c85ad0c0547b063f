"""The stats chart is per minute while a campaign's activity is short (a campaign of a few
minutes used to show one hourly point: an empty chart), per hour once it spans hours; the
points add up to the unique opens and clicks, machine opens and bot clicks apart."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import fanout
from campaigns.models import Campaign, Delivery
from tests.support.factories import campaign_make, creators_make
from tracking.chart import campaign_activity_chart
from tracking.models import Event
from tracking.services import event_record

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


def _sent(creators: int) -> Campaign:
    creators_make(creators)
    campaign = campaign_make(channels=("email",))
    Campaign.objects.filter(pk=campaign.pk).update(status="sent", last_run=1)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=1)
    Delivery.objects.filter(campaign=campaign).update(
        status="sent", sent_at=timezone.now() - timedelta(hours=6)
    )
    return campaign


def _engage(campaign: Campaign, start, step: timedelta) -> None:
    """Delivery n opens at start + n·step; every other one clicks a minute later; every
    third gets a machine open at the same moment."""
    for index, delivery in enumerate(Delivery.objects.filter(campaign=campaign).order_by("pk")):
        at = start + index * step
        event_record(delivery_id=delivery.pk, kind="opened", source="pixel", user_agent=UA,
                     occurred_at=at)  # fmt: skip
        if index % 2 == 0:
            event_record(delivery_id=delivery.pk, kind="clicked", source="redirect",
                         user_agent=UA, occurred_at=at + timedelta(minutes=1))  # fmt: skip
        if index % 3 == 0:
            event_record(delivery_id=delivery.pk, kind="opened", source="pixel",
                         automated_reason="prefetch", occurred_at=at)  # fmt: skip


def test_campaign_of_minutes_is_drawn_per_minute(role_client):
    campaign = _sent(12)
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    _engage(campaign, start, timedelta(minutes=2))
    chart = campaign_activity_chart(campaign=campaign)
    assert chart.bucket == "minute"
    # every minute from the first open (minute 0) to the last one (minute 22), gaps as 0
    assert len(chart.labels) == 23
    assert sum(chart.opened) == 12 and sum(chart.clicked) == 6
    assert sum(chart.machine_opens) == 4 and sum(chart.bot_clicks) == 0
    assert chart.opened[0] == 1 and chart.clicked[1] == 1 and chart.opened[1] == 0

    html = role_client("analyst").get(f"/stats/campaigns/{campaign.pk}/").content.decode()
    assert 'data-bucket="minute"' in html and "Opens and clicks per minute" in html
    data = json.loads(re.search(r'id="hourly-data"[^>]*>(.*?)</script>', html).group(1))
    assert data["bucket"] == "minute" and sum(data["opened"]) == 12


def test_activity_over_hours_is_drawn_per_hour():
    campaign = _sent(6)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=5)
    _engage(campaign, start, timedelta(hours=1))
    chart = campaign_activity_chart(campaign=campaign)
    assert chart.bucket == "hour"
    assert len(chart.labels) == 6
    assert chart.opened == [1] * 6 and sum(chart.clicked) == 3
    assert sum(chart.machine_opens) == Event.objects.filter(automated=True).count() == 2


def test_campaign_with_no_activity_says_so(role_client):
    campaign = _sent(3)
    chart = campaign_activity_chart(campaign=campaign)
    assert chart.labels == []
    html = role_client("analyst").get(f"/stats/campaigns/{campaign.pk}/").content.decode()
    assert 'id="chart-empty"' in html
