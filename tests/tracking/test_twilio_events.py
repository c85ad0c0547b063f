"""Twilio status callbacks become delivered / read / failed events; forged ones change nothing."""

import pytest
from twilio.request_validator import RequestValidator

from campaigns.models import Delivery
from tests.tracking.conftest import BASE, TWILIO_TOKEN
from tracking.models import Event, Rollup


def test_contract_test_vector_validates():
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    validator = RequestValidator("12345")
    assert validator.compute_signature(url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert validator.validate(url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


@pytest.fixture
def whatsapp(campaign) -> Delivery:
    delivery = Delivery.objects.filter(campaign=campaign, channel="whatsapp").first()
    assert delivery is not None
    return delivery


def post(client, delivery: Delivery, status: str, signature: str | None = None, **extra):
    path = f"/hooks/twilio/status?d={delivery.pk}"
    params = {
        "AccountSid": "AC" + "b" * 32,
        "ApiVersion": "2010-04-01",
        "ChannelPrefix": "whatsapp",
        "From": "whatsapp:+14155238886",
        "MessageSid": "SM" + "a" * 32,
        "MessageStatus": status,
        "SmsSid": "SM" + "a" * 32,
        "SmsStatus": status,
        "To": "whatsapp:+5255000001",
        **extra,
    }
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{BASE}{path}", params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def snapshot():
    return (
        list(Event.objects.values_list("kind", "dedupe_key").order_by("id")),
        list(Rollup.objects.values_list("delivered", "opened", "bounced").order_by("id")),
        list(
            Delivery.objects.values_list(
                "status", "first_delivered_at", "first_opened_at"
            ).order_by("id")
        ),
    )


def test_delivered_then_read_counts_as_delivered_and_opened(client, whatsapp):
    for status in ("queued", "sent", "delivered", "read"):
        assert post(client, whatsapp, status).status_code == 204
    assert list(Event.objects.values_list("kind", flat=True).order_by("id")) == [
        "sent",
        "delivered",
        "read",
    ]
    whatsapp.refresh_from_db()
    assert whatsapp.first_delivered_at and whatsapp.first_opened_at
    rollup = Rollup.objects.get()
    assert (rollup.delivered, rollup.opened, rollup.opens_total) == (1, 1, 1)


def test_read_before_delivered_still_counts_one_delivery(client, whatsapp):
    post(client, whatsapp, "read")
    post(client, whatsapp, "delivered")
    assert sum(Rollup.objects.values_list("delivered", flat=True)) == 1


def test_undelivered_is_a_failure_with_its_code(client, whatsapp):
    post(client, whatsapp, "undelivered", ErrorCode="63016")
    event = Event.objects.get()
    assert (event.kind, event.error_code) == ("failed", "63016")
    assert Rollup.objects.get().bounced == 1


def test_genuine_replay_changes_nothing(client, whatsapp):
    for status in ("delivered", "read"):
        post(client, whatsapp, status)
    before = snapshot()
    for status in ("delivered", "read", "delivered"):
        assert post(client, whatsapp, status).status_code == 204
    assert snapshot() == before


def test_forged_or_altered_callbacks_get_403_and_change_nothing(client, whatsapp):
    before = snapshot()
    assert (
        post(client, whatsapp, "read", signature="RSOYDt4T1cUTdK1PDd93/VVr8B8=").status_code == 403
    )
    path = f"/hooks/twilio/status?d={whatsapp.pk}"
    signed_delivered = RequestValidator(TWILIO_TOKEN).compute_signature(
        f"{BASE}{path}", {"MessageSid": "SM1", "MessageStatus": "delivered"}
    )
    altered = client.post(
        path,
        {"MessageSid": "SM1", "MessageStatus": "read"},
        HTTP_X_TWILIO_SIGNATURE=signed_delivered,
    )
    assert altered.status_code == 403
    other = Delivery.objects.exclude(pk=whatsapp.pk).filter(channel="whatsapp").first()
    replayed_elsewhere = client.post(
        f"/hooks/twilio/status?d={other.pk}",
        {"MessageSid": "SM1", "MessageStatus": "delivered"},
        HTTP_X_TWILIO_SIGNATURE=signed_delivered,
    )
    assert replayed_elsewhere.status_code == 403
    assert snapshot() == before
