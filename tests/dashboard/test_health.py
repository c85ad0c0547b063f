"""The ops health page and the /metrics exposition show the intake backlog: how many
tracking hits and webhook batches wait, and for how long."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tracking import writebehind
from tracking.models import WebhookBatch


@pytest.fixture
def backlog(db, settings):
    """Three hits queued ten minutes ago and one webhook batch unapplied for two minutes."""
    client = writebehind._client()
    client.delete(writebehind.QUEUE)
    at = time.time() - 600
    for delivery_id in (1, 2, 3):
        client.rpush(writebehind.QUEUE, f'["open",{delivery_id},null,"GET","UA","",{at}]')
    WebhookBatch.objects.create(
        provider="sendgrid", body="[]", events=0, received_at=timezone.now() - timedelta(minutes=2)
    )
    yield
    client.delete(writebehind.QUEUE)


def test_health_page_shows_the_backlog_and_its_age(role_client, backlog):
    page = role_client("analyst").get("/health/")
    html = page.content.decode()
    assert page.status_code == 200
    hits = html[html.index('id="health-hits"') :]
    assert "<td>3</td>" in hits[:400]
    assert "60" in html and "drain" in html  # older than the lag: a warning names the drain
    webhooks = html[html.index('id="health-webhooks"') :]
    assert "<td>1</td>" in webhooks[:400]


def test_agency_people_cannot_see_the_health_page(role_client, backlog):
    assert role_client("agency").get("/health/").status_code == 403


def test_metrics_need_the_token(client, settings, backlog):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    values = {
        name: float(value)
        for line in response.content.decode().splitlines()
        if not line.startswith("#")
        for name, value in [line.split(" ")]
    }
    assert values["altavoz_intake_hits_queued"] == 3
    assert values["altavoz_intake_hits_processing"] == 0
    assert 590 < values["altavoz_intake_hits_oldest_age_seconds"] < 700
    assert values["altavoz_intake_webhook_batches_unapplied"] == 1
    assert 110 < values["altavoz_intake_webhook_batches_oldest_age_seconds"] < 200
