import pytest
from twilio.request_validator import RequestValidator

from campaigns import fanout, services
from campaigns.models import Delivery
from tests.support.factories import campaign_make, creators_make

AUTH_TOKEN = "test-auth-token"
BASE = "https://altavoz.example"


@pytest.fixture
def unknown_delivery(db, settings) -> Delivery:
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = BASE
    creators_make(1, devices=False)
    campaign = campaign_make(channels=("whatsapp",))
    services.campaign_launch(campaign=campaign)
    fanout.deliveries_create(campaign=campaign, run=1)
    Delivery.objects.update(status=Delivery.Status.UNKNOWN, error_code="worker_lost")
    return Delivery.objects.get()


def _post(client, delivery_id: int, params: dict, signature: str | None = None):
    path = f"/hooks/twilio/status?d={delivery_id}"
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{BASE}{path}", params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


PARAMS = {
    "MessageSid": "SM" + "a" * 32,
    "MessageStatus": "delivered",
    "AccountSid": "AC" + "b" * 32,
}


def test_signed_callback_settles_an_unknown_delivery(client, unknown_delivery):
    response = _post(client, unknown_delivery.pk, PARAMS)
    assert response.status_code == 204
    unknown_delivery.refresh_from_db()
    assert (unknown_delivery.status, unknown_delivery.provider_message_id) == (
        "sent",
        PARAMS["MessageSid"],
    )


def test_failed_callback_settles_as_failed_with_the_code(client, unknown_delivery):
    response = _post(
        client,
        unknown_delivery.pk,
        {**PARAMS, "MessageStatus": "undelivered", "ErrorCode": "63016"},
    )
    assert response.status_code == 204
    unknown_delivery.refresh_from_db()
    assert (unknown_delivery.status, unknown_delivery.error_code) == ("failed", "63016")


def test_forged_signature_gets_403_and_changes_nothing(client, unknown_delivery):
    assert _post(client, unknown_delivery.pk, PARAMS, signature="forged=").status_code == 403
    signed_for_other_body = RequestValidator(AUTH_TOKEN).compute_signature(
        f"{BASE}/hooks/twilio/status?d={unknown_delivery.pk}", {**PARAMS, "MessageStatus": "queued"}
    )
    assert (
        _post(client, unknown_delivery.pk, PARAMS, signature=signed_for_other_body).status_code
        == 403
    )
    assert client.post(f"/hooks/twilio/status?d={unknown_delivery.pk}", PARAMS).status_code == 403
    unknown_delivery.refresh_from_db()
    assert unknown_delivery.status == "unknown"
