"""`unknown` deliveries reconciled with what the providers can tell, after the grace period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from twilio.rest import Client

from campaigns import fanout, reconcile, runs, services
from campaigns.models import Campaign, Delivery
from tests.support.factories import campaign_make, creators_make
from tests.support.worker import broker_flush
from tracking.models import Event
from tracking.services import event_record

WHATSAPP_FROM = "+14155238886"


@pytest.fixture
def providers(fake_providers, settings):
    for key, value in fake_providers.settings_env().items():
        if key not in ("PROVIDER_RATE_LIMITS", "DISPATCH_PARALLELISM", "EMAIL_PORT"):
            setattr(settings, key, value)
    settings.TWILIO_WHATSAPP_FROM = WHATSAPP_FROM
    settings.EMAIL_PROVIDER = "sendgrid"
    settings.DISPATCH_RECONCILE_SECONDS = 60
    fake_providers.set_behaviour("twilio", callbacks={"enabled": False})
    return fake_providers


def _twilio(fakes) -> Client:
    client = Client(fakes.twilio_account_sid, fakes.twilio_auth_token)
    client.api.base_url = fakes.urls["twilio"]
    return client


def test_unknown_deliveries_are_settled_resent_or_left_with_a_reason(transactional_db, providers):
    broker_flush()
    creators_make(6)
    campaign = campaign_make(channels=("whatsapp", "email", "push"), locales=("es-MX",))
    services.campaign_launch(campaign=campaign)
    fanout.deliveries_create(campaign=Campaign.objects.get(pk=campaign.pk), run=1)
    rows = {
        channel: list(
            Delivery.objects.filter(campaign=campaign, channel=channel)
            .select_related("creator")
            .order_by("pk")
        )
        for channel in ("whatsapp", "email", "push")
    }
    started = timezone.now()  # the worker marked them `sending`
    whatsapp = rows["whatsapp"]
    # Twilio took whatsapp[0] before its worker died; whatsapp[1] never reached it;
    # whatsapp[2]'s creator got a message, but another campaign's delivery holds it.
    taken = _twilio(providers).messages.create(
        to=f"whatsapp:{whatsapp[0].creator.phone}", from_=f"whatsapp:{WHATSAPP_FROM}", body="Hola"
    )
    other = _twilio(providers).messages.create(
        to=f"whatsapp:{whatsapp[2].creator.phone}", from_=f"whatsapp:{WHATSAPP_FROM}", body="Hola"
    )
    now = timezone.now()  # the watchdog found the worker gone and marked them `unknown`
    Delivery.objects.create(
        campaign=campaign_make(channels=("whatsapp",), locales=("es-MX",), name="Otra"),
        channel="whatsapp",
        creator=whatsapp[2].creator,
        locale="es-MX",
        status="sent",
        provider_message_id=other.sid,
        updated_at=now,
    )
    unknown_ids = [row.pk for row in whatsapp[:3]] + [
        row.pk for channel in ("email", "push") for row in rows[channel][:2]
    ]
    Delivery.objects.filter(pk__in=unknown_ids).update(
        status="unknown",
        error_code="worker_lost",
        claimed_at=started,
        updated_at=now,
    )
    # SendGrid told us something about email[1] (an event that did not settle it).
    event_record(
        delivery_id=rows["email"][1].pk,
        kind=Event.Kind.OPENED,
        source=Event.Source.SENDGRID,
        provider_event_id="sg-1",
    )
    Delivery.objects.filter(status__in=["pending"]).update(status="sent")

    # Within the grace period nothing is looked up.
    assert reconcile.deliveries_reconcile(now=now + timedelta(seconds=30)) == {}

    counts = reconcile.deliveries_reconcile(now=now + timedelta(seconds=61))

    def state(row):
        row.refresh_from_db()
        return row.status, row.provider_message_id, row.error_code

    assert state(whatsapp[0]) == ("sent", taken.sid, "")
    assert state(whatsapp[1])[0] == "pending"
    assert state(whatsapp[2])[0] == "pending"
    assert state(rows["email"][0])[0] == "pending"
    assert state(rows["email"][1]) == ("unknown", "", "worker_lost")
    assert [state(row)[::2] for row in rows["push"][:2]] == [("unknown", "unverifiable")] * 2
    assert counts == {"taken": 1, "not_taken": 3, "unknown": 1, "resent": 3, "unverifiable": 2}
    # Nothing was sent to Twilio by the lookups themselves.
    assert len(providers.received("twilio", accepted=True)) == 2
    # Looked at once: the unverifiable pushes are not counted again.
    later = reconcile.deliveries_reconcile(now=now + timedelta(seconds=122))
    assert later == {"unknown": 1}
    broker_flush()


def test_a_finished_campaign_with_unknown_deliveries_says_how_many_to_check(
    api_client, role_client
):
    creators_make(3)
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    services.campaign_launch(campaign=campaign)
    fanout.deliveries_create(campaign=Campaign.objects.get(pk=campaign.pk), run=1)
    first = Delivery.objects.filter(campaign=campaign).order_by("pk").first()
    Delivery.objects.filter(campaign=campaign).update(status="sent")
    Delivery.objects.filter(pk=first.pk).update(status="unknown", error_code="worker_lost")
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)

    body = api_client.get(f"/api/campaigns/{campaign.pk}").json()
    assert (body["status"], body["to_check"]) == ("sent", 1)
    assert body["counts"] == {"push": {"sent": 2, "unknown": 1}}

    page = role_client("manager").get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Finished with 1 to check" in page
    assert '<span class="status status-sent">Sent</span></h1>' not in page
