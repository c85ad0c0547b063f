"""The real sendgrid SDK against the fake Mail Send API, and its signed Event Webhook."""

from __future__ import annotations

import json

import pytest
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.mail import Category, Content, CustomArg, Mail, Personalization, To

SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"


def sendgrid_client(fakes, api_key=None) -> SendGridAPIClient:
    return SendGridAPIClient(api_key or fakes.sendgrid_api_key, host=fakes.urls["sendgrid"])


def batch_mail(addresses: list[str]) -> Mail:
    mail = Mail(from_email="creadores@altavoz.example", subject="Hola {{name}}")
    mail.add_content(Content("text/plain", "Hola"))
    mail.add_content(
        Content("text/html", '<p>Hola <a href="https://altavoz.example/t/c/abc">ver</a></p>')
    )
    mail.add_category(Category("campaign-42"))
    mail.add_custom_arg(CustomArg("campaign_id", "42"))
    for i, address in enumerate(addresses):
        p = Personalization()
        p.add_to(To(address))
        p.add_custom_arg(CustomArg("altavoz_delivery_id", f"d-{i}"))
        mail.add_personalization(p)
    return mail


def test_sdk_batch_send_is_accepted_with_a_message_id(fake_providers):
    response = sendgrid_client(fake_providers).send(batch_mail(["a@x.example", "b@x.example"]))
    assert response.status_code == 202
    assert response.body in (b"", "")
    message_id = response.headers["X-Message-Id"]
    [record] = fake_providers.received("sendgrid")
    assert record["provider_id"] == message_id and record["messages"] == 2
    assert sorted(record["recipients"]) == ["a@x.example", "b@x.example"]
    assert record["request"]["custom_args"] == {"campaign_id": "42"}


def _post(fakes, body, api_key=None):
    with pytest.raises(HTTPError) as caught:
        sendgrid_client(fakes, api_key).client.mail.send.post(request_body=body)
    return caught.value.status_code, json.loads(caught.value.body)


def valid_body() -> dict:
    return {
        "personalizations": [{"to": [{"email": "a@x.example"}]}],
        "from": {"email": "f@x.example"},
        "subject": "s",
        "content": [{"type": "text/plain", "value": "v"}],
    }


@pytest.mark.parametrize(
    ("change", "field", "message_start"),
    [
        (
            lambda b: b.pop("personalizations"),
            "personalizations",
            "The personalizations field is required",
        ),
        (
            lambda b: b.update(personalizations=[]),
            "personalizations",
            "The personalizations field is required",
        ),
        (lambda b: b.pop("from"), "from", "The from object must be provided"),
        (
            lambda b: b["personalizations"][0].update(to=[{"email": "nope"}]),
            "personalizations.0.to.0.email",
            "Does not contain a valid address.",
        ),
        (
            lambda b: b["personalizations"][0].pop("to"),
            "personalizations.0.to",
            "The to array is required",
        ),
        (lambda b: b.pop("content"), "content", "Unless a valid template_id is provided"),
        (lambda b: b.pop("subject"), "subject", "The subject is required."),
        (lambda b: b.update(categories=["c"] * 2), "categories", ""),
        (
            lambda b: b["personalizations"][0].update(custom_args={"n": 1}),
            "personalizations.0.custom_args.n",
            "Invalid type.",
        ),
    ],
)
def test_invalid_bodies_get_sendgrid_errors(fake_providers, change, field, message_start):
    body = valid_body()
    change(body)
    status, answer = _post(fake_providers, body)
    assert status == 400
    fields = {e["field"]: e for e in answer["errors"]}
    assert field in fields, answer
    assert fields[field]["message"].startswith(message_start)
    assert set(fields[field]) == {"message", "field", "help"}
    assert fake_providers.received("sendgrid", accepted=True) == []


def test_wrong_api_key_is_401(fake_providers):
    status, answer = _post(fake_providers, valid_body(), api_key="SG.wrong")
    assert status == 401
    assert answer["errors"][0]["message"].startswith("The provided authorization grant is invalid")


def test_address_marked_bad_gets_400_on_its_field(fake_providers):
    fake_providers.set_behaviour("sendgrid", recipient_errors=["b@x.example"])
    with pytest.raises(HTTPError) as caught:  # the SDK prepends: b ends up second
        sendgrid_client(fake_providers).send(batch_mail(["b@x.example", "a@x.example"]))
    errors = json.loads(caught.value.body)["errors"]
    assert caught.value.status_code == 400
    assert errors == [
        {
            "message": "Does not contain a valid address.",
            "field": "personalizations.1.to.0.email",
            "help": errors[0]["help"],
        }
    ]


def test_event_webhook_batches_verify_with_the_sdk_helper(fake_providers, webhook_receiver):
    fake_providers.set_behaviour(
        "sendgrid",
        undeliverable={"gone@x.example": "bounce"},
        callbacks={"url": f"{webhook_receiver.url}/hooks/sendgrid/events", "delay_ms": 20},
    )
    response = sendgrid_client(fake_providers).send(batch_mail(["a@x.example", "gone@x.example"]))
    message_id = response.headers["X-Message-Id"]

    def events():
        return [e for r in webhook_receiver.requests for e in json.loads(r["body"])]

    fake_providers.wait_for(lambda f: len(events()) >= 6)
    verifier = EventWebhook()
    key = verifier.convert_public_key_to_ecdsa(fake_providers.sendgrid_public_key)
    for request in webhook_receiver.requests:
        payload = request["body"].decode()
        assert payload.endswith("\r\n")
        assert request["path"] == "/hooks/sendgrid/events"
        signature, timestamp = request["headers"][SIGNATURE], request["headers"][TIMESTAMP]
        assert verifier.verify_signature(payload, signature, timestamp, key)
        # Every event names one of the two addresses, whichever events a batch holds.
        tampered = payload.replace("@x.example", "@y.example")
        assert tampered != payload
        assert not verifier.verify_signature(tampered, signature, timestamp, key)
    by_address = {}
    for event in events():
        by_address.setdefault(event["email"], []).append(event)
        assert event["sg_message_id"].split(".")[0] == message_id
        assert event["campaign_id"] == "42" and event["category"] == ["campaign-42"]
    assert sorted(e["event"] for e in by_address["a@x.example"]) == [
        "click",
        "delivered",
        "open",
        "processed",
    ]
    assert {e["altavoz_delivery_id"] for e in by_address["a@x.example"]} == {"d-0"}
    click = next(e for e in by_address["a@x.example"] if e["event"] == "click")
    assert click["url"] == "https://altavoz.example/t/c/abc"
    assert sorted(e["event"] for e in by_address["gone@x.example"]) == ["bounce", "processed"]
    assert len({e["sg_event_id"] for e in events()}) == len(events())
