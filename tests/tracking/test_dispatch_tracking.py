"""End to end with the fakes: dispatch puts the pixel in emails and the token in pushes, and the
SendGrid fake's signed Event Webhook batches (duplicates, machine opens) reach the live server."""

import pytest

from campaigns import dispatch, fanout, services
from campaigns.models import Delivery
from tests.support.factories import campaign_make, creators_make
from tracking.models import Event
from tracking.selectors import campaign_stats_get
from tracking.tokens import push_token_read


@pytest.fixture
def rig(transactional_db, fake_providers, live_server, settings, tmp_path):
    credentials = fake_providers.fcm_credentials_write(tmp_path / "fcm.json")
    for key, value in fake_providers.settings_env(credentials).items():
        if key != "EMAIL_PORT":
            setattr(settings, key, value)
    settings.PUBLIC_BASE_URL = live_server.url
    settings.EMAIL_PROVIDER = "sendgrid"
    settings.TWILIO_WHATSAPP_FROM = "+14155238886"
    settings.PROVIDER_RATE_LIMITS = {"twilio": 0, "sendgrid": 0, "fcm": 0, "smtp": 0, "inbox": 0}
    settings.TRACKING_DELIVERY_COUNTS_TTL = 0
    return fake_providers, live_server


def test_email_pixel_push_token_and_sendgrid_events(rig):
    fakes, live_server = rig
    fakes.set_behaviour("twilio", callbacks={"enabled": False})
    fakes.set_behaviour(
        "sendgrid",
        callbacks={
            "enabled": True,
            "url": f"{live_server.url}/hooks/sendgrid/events",
            "delay_ms": 20,
            "events": ["processed", "delivered", "open"],
            "machine_open_rate": 0.5,
            "duplicate_rate": 0.5,
        },
    )
    creators_make(12)
    campaign = campaign_make(channels=("email", "push"))
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    dispatch.campaign_dispatch(campaign_id=campaign.pk)

    mails = fakes.received("sendgrid", accepted=True)
    html = [c["value"] for m in mails for c in m["request"]["content"] if c["type"] == "text/html"]
    assert html and all("/t/o/" in body and ".gif" in body for body in html)
    pushes = fakes.received("fcm", accepted=True)
    tokens = [p["request"]["message"]["data"]["tracking_token"] for p in pushes]
    assert tokens and all(push_token_read(token) for token in tokens)

    emails = Delivery.objects.filter(campaign=campaign, channel="email").count()
    fakes.wait_for(
        lambda _fakes: Event.objects.filter(kind__in=["opened", "delivered"]).count() >= 2 * emails,
        timeout=20,
    )
    assert Event.objects.filter(kind="delivered").count() == emails
    stats = campaign_stats_get(campaign=campaign).channels["email"]
    assert stats.delivered == emails
    assert stats.opened + stats.machine_opens == emails
    assert stats.opened == Event.objects.filter(kind="opened", automated=False).count()
