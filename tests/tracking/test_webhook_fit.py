"""A verified webhook event that does not fit its delivery (an id out of range, no delivery,
another channel's delivery, another address) is acknowledged, changes nothing and is counted
as ignored; no input gives a 5xx (the provider would send the whole batch again)."""

import pytest
from twilio.request_validator import RequestValidator

from campaigns.models import Delivery
from creators.models import Suppression
from tests.tracking.conftest import BASE, TWILIO_TOKEN
from tracking import services
from tracking.models import Event, FailureRollup, Rollup, WebhookBatch

TOO_BIG = "100000000000000000000"  # > 2**63 - 1: no bigint holds it


def snapshot():
    return (
        list(Event.objects.values_list("delivery_id", "kind").order_by("id")),
        list(Rollup.objects.values_list("bounced", "delivered").order_by("id")),
        list(FailureRollup.objects.values_list("error_code", "count").order_by("id")),
        list(Suppression.objects.values_list("address", "reason").order_by("id")),
        list(Delivery.objects.values_list("id", "status", "error_code").order_by("id")),
    )


def bounce(delivery_id: object, email: str, **extra) -> dict:
    return {
        "email": email,
        "timestamp": 1700000005,
        "event": "bounce",
        "type": "bounce",
        "status": "5.0.0",
        "reason": "500 unknown recipient",
        "sg_event_id": f"b-{delivery_id}",
        "delivery_id": delivery_id,
        **extra,
    }


def twilio_post(client, d: str, status: str, **extra):
    path = f"/hooks/twilio/status?d={d}"
    params = {"MessageSid": "SM" + "a" * 32, "MessageStatus": status, **extra}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{BASE}{path}", params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def by_channel(campaign) -> dict[str, Delivery]:
    deliveries = Delivery.objects.filter(campaign=campaign).select_related("creator")
    return {
        channel: deliveries.filter(channel=channel).earliest("pk")
        for channel in ("email", "inbox", "whatsapp")
    }


def test_sendgrid_overflowing_delivery_id_is_acknowledged_and_ignored(
    client, by_channel, sendgrid_signer
):
    email = by_channel["email"].creator.email
    before = snapshot()
    response = sendgrid_signer.post(client, [bounce(TOO_BIG, email), bounce(int(TOO_BIG), email)])
    assert response.status_code == 204
    assert snapshot() == before
    batch = WebhookBatch.objects.get()
    assert (batch.events, batch.recorded, batch.ignored) == (2, 0, 2)
    assert batch.applied_at is not None


def test_twilio_overflowing_delivery_id_is_acknowledged_and_ignored(client, by_channel):
    before = snapshot()
    for status in ("delivered", "failed"):
        assert twilio_post(client, TOO_BIG, status, ErrorCode="63003").status_code == 204
    assert twilio_post(client, "-1", "delivered").status_code == 204
    assert twilio_post(client, "0x10", "delivered").status_code == 204
    assert snapshot() == before
    assert services.twilio_status_record(delivery_id=TOO_BIG, params={"MessageStatus": "read"}) == (
        services.Applied.IGNORED
    )


def test_sendgrid_bounce_naming_an_inbox_delivery_suppresses_nothing(
    client, by_channel, sendgrid_signer
):
    inbox = by_channel["inbox"]
    inbox.status = Delivery.Status.UNKNOWN
    inbox.save(update_fields=["status"])
    before = snapshot()
    events = [
        bounce(str(inbox.pk), inbox.creator.email),
        bounce(str(inbox.pk), "someone-else@example.com", sg_event_id="b-2"),
        {**bounce(str(inbox.pk), inbox.creator.email), "event": "delivered", "sg_event_id": "d"},
    ]
    assert sendgrid_signer.post(client, events).status_code == 204
    assert snapshot() == before
    assert WebhookBatch.objects.get().ignored == 3


def test_sendgrid_bounce_for_another_address_changes_nothing(client, by_channel, sendgrid_signer):
    delivery = by_channel["email"]
    before = snapshot()
    events = [bounce(str(delivery.pk), "victim@example.org"), bounce(str(delivery.pk), "")]
    assert sendgrid_signer.post(client, events).status_code == 204
    assert snapshot() == before
    assert WebhookBatch.objects.get().ignored == 2
    # The same bounce with the delivery's own address (any case) does apply.
    fitting = bounce(str(delivery.pk), f"  {delivery.creator.email.upper()} ")
    assert sendgrid_signer.post(client, [fitting]).status_code == 204
    assert Event.objects.get().kind == "bounced"
    assert list(Suppression.objects.values_list("address", flat=True)) == [
        delivery.creator.email.lower()
    ]
    latest = WebhookBatch.objects.order_by("-id").first()
    assert (latest.recorded, latest.ignored) == (1, 0)


def test_bounce_naming_no_delivery_suppresses_nothing(client, by_channel, sendgrid_signer):
    email = by_channel["email"].creator.email
    missing = Delivery.objects.order_by("-id").first().pk + 1000
    events = [
        {k: v for k, v in bounce("x", email).items() if k != "delivery_id"},
        bounce(str(missing), email, sg_event_id="m"),
        {**bounce("x", email), "event": "spamreport", "delivery_id": None},
        {**bounce("x", email), "event": "unsubscribe", "delivery_id": ["1"]},
    ]
    before = snapshot()
    assert sendgrid_signer.post(client, events).status_code == 204
    assert snapshot() == before
    assert WebhookBatch.objects.get().ignored == 4


def test_twilio_failed_callback_for_an_email_delivery_changes_nothing(client, by_channel):
    email = by_channel["email"]
    email.status = Delivery.Status.UNKNOWN
    email.save(update_fields=["status"])
    before = snapshot()
    for status in ("failed", "undelivered", "delivered", "read"):
        assert twilio_post(client, str(email.pk), status, ErrorCode="63003").status_code == 204
    assert snapshot() == before
    applied = services.twilio_status_record(
        delivery_id=str(email.pk), params={"MessageStatus": "failed", "ErrorCode": "63003"}
    )
    assert applied == services.Applied.IGNORED
    whatsapp = by_channel["whatsapp"]
    assert twilio_post(client, str(whatsapp.pk), "failed", ErrorCode="63016").status_code == 204
    assert list(Event.objects.values_list("delivery_id", "kind")) == [(whatsapp.pk, "failed")]


def test_odd_values_in_a_signed_batch_never_give_a_5xx(client, by_channel, sendgrid_signer):
    delivery = by_channel["email"]
    email = delivery.creator.email
    odd = [
        "not an event",
        7,
        None,
        [],
        {"event": "open", "delivery_id": True, "email": email},
        {"event": "open", "delivery_id": 1.5, "email": email},
        {"event": "open", "delivery_id": "9" * 5000, "email": email},
        {"event": "open", "delivery_id": {"id": 1}, "email": email},
        {"event": ["open"], "delivery_id": str(delivery.pk), "email": [email]},
    ]
    weird_times = [
        {
            "event": "delivered",
            "delivery_id": str(delivery.pk),
            "email": email,
            "timestamp": t,
            "sg_event_id": f"t{n}",
        }
        for n, t in enumerate([10**30, -(10**30), "soon", None, 1e308])
    ]
    assert sendgrid_signer.post(client, odd + weird_times).status_code == 204
    batch = WebhookBatch.objects.get()
    assert (batch.events, batch.ignored, batch.recorded, batch.unchanged) == (14, 9, 1, 4)
    assert sendgrid_signer.post(client, {"not": "a list"}).status_code == 400


def test_a_fitting_batch_settles_an_unknown_email_delivery_once(
    client, by_channel, sendgrid_signer
):
    delivery = by_channel["email"]
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.UNKNOWN)
    common = {"email": delivery.creator.email, "delivery_id": str(delivery.pk)}
    events = [
        {**common, "event": "processed", "sg_message_id": "msg-1.filter", "sg_event_id": "p"},
        {**common, "event": "dropped", "sg_message_id": "msg-2.filter", "sg_event_id": "x"},
    ]
    assert sendgrid_signer.post(client, events).status_code == 204
    delivery.refresh_from_db()
    assert (delivery.status, delivery.provider_message_id) == ("sent", "msg-1.filter")
