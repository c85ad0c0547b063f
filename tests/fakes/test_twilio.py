"""The real twilio SDK (sync and async) against the fake Messages API."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from fakes.contracts import contracts_load

TO = "whatsapp:+5215512345678"
FROM = "whatsapp:+14155238886"
CONTENT_SID = "HX" + "b" * 32


def twilio_client(fakes, http_client=None) -> Client:
    client = Client(fakes.twilio_account_sid, fakes.twilio_auth_token, http_client=http_client)
    client.api.base_url = fakes.urls["twilio"]  # the documented way to point the SDK
    return client


def test_sync_client_creates_a_queued_message_valid_against_the_contract(fake_providers):
    message = twilio_client(fake_providers).messages.create(
        to=TO, from_=FROM, content_sid=CONTENT_SID, content_variables='{"1": "Ana"}'
    )
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    [record] = fake_providers.received("twilio")
    assert record["accepted"] and record["provider_id"] == message.sid
    assert record["request"]["ContentSid"] == CONTENT_SID
    # the answer itself satisfies the published message schema
    import json
    import urllib.request

    raw = urllib.request.urlopen(
        urllib.request.Request(
            f"{fake_providers.urls['twilio']}/2010-04-01/Accounts/{fake_providers.twilio_account_sid}"
            f"/Messages/{message.sid}.json",
            headers={"Authorization": _basic(fake_providers)},
        )
    ).read()
    assert contracts_load().twilio_message.violations(json.loads(raw)) == []


def _basic(fakes) -> str:
    import base64

    pair = f"{fakes.twilio_account_sid}:{fakes.twilio_auth_token}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def test_async_client_creates_messages_concurrently(fake_providers):
    async def send_all() -> list[str]:
        http = AsyncTwilioHttpClient()
        client = twilio_client(fake_providers, http)
        try:
            messages = await asyncio.gather(
                *[
                    client.messages.create_async(
                        to=f"whatsapp:+52155123400{i:02d}", from_=FROM, body=f"hola {i}"
                    )
                    for i in range(20)
                ]
            )
        finally:
            await http.session.close()
        return [m.sid for m in messages]

    sids = asyncio.run(send_all())
    assert len(set(sids)) == 20
    assert len(fake_providers.received("twilio", accepted=True)) == 20


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"from_": FROM, "body": "hi"}, 21604),  # no To: the contract's only required field
        ({"to": "whatsapp:5512345678", "from_": FROM, "body": "hi"}, 21211),
        ({"to": TO, "body": "hi"}, 21603),
        ({"to": TO, "from_": FROM}, 21602),
        ({"to": TO, "from_": "+14155238886", "body": "hi"}, 21910),
        ({"to": TO, "from_": FROM, "content_sid": "nope"}, 21655),
        ({"to": TO, "from_": FROM, "body": "hi", "status_callback": "not a url"}, 21609),
        ({"to": TO, "from_": FROM, "content_sid": CONTENT_SID, "content_variables": "[1]"}, 21656),
    ],
)
def test_invalid_requests_get_twilio_errors(fake_providers, kwargs, code):
    client = twilio_client(fake_providers)
    kwargs.setdefault("to", None)
    create = client.messages.create
    if kwargs["to"] is None:
        kwargs.pop("to")
        # the SDK requires `to`; send the same request without it at the HTTP level
        response = client.request(
            "POST",
            f"{fake_providers.urls['twilio']}/2010-04-01/Accounts/{fake_providers.twilio_account_sid}/Messages.json",
            data={"From": kwargs["from_"], "Body": kwargs["body"]},
        )
        import json

        body = json.loads(response.text)
        assert response.status_code == 400
        assert body["code"] == code and body["status"] == 400
        assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
        assert body["message"] == "A 'To' phone number is required."
        return
    with pytest.raises(TwilioRestException) as caught:
        create(**kwargs)
    assert caught.value.status == 400
    assert caught.value.code == code
    assert fake_providers.received("twilio", accepted=True) == []


def test_wrong_auth_token_is_20003(fake_providers):
    client = Client(fake_providers.twilio_account_sid, "wrong")
    client.api.base_url = fake_providers.urls["twilio"]
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=TO, from_=FROM, body="hi")
    assert (caught.value.status, caught.value.code) == (401, 20003)


def test_recipient_error_is_permanent_for_that_number_only(fake_providers):
    bad = "whatsapp:+5215500000001"
    fake_providers.set_behaviour("twilio", recipient_errors={bad: 63003})
    client = twilio_client(fake_providers)
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=bad, from_=FROM, body="hi")
    assert (caught.value.status, caught.value.code) == (400, 63003)
    assert client.messages.create(to=TO, from_=FROM, body="hi").status == "queued"
    fake_providers.set_behaviour("twilio", recipient_errors=[bad])
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=bad, from_=FROM, body="hi")
    assert caught.value.code == 21211


def test_status_callbacks_are_signed_so_the_sdk_validator_accepts_them(
    fake_providers, webhook_receiver
):
    fake_providers.set_behaviour("twilio", callbacks={"delay_ms": 10})
    callback = f"{webhook_receiver.url}/hooks/twilio/status?x=1"
    message = twilio_client(fake_providers).messages.create(
        to=TO, from_=FROM, body="hi", status_callback=callback
    )
    fake_providers.wait_for(lambda f: len(webhook_receiver.requests) >= 4)
    validator = RequestValidator(fake_providers.twilio_auth_token)
    statuses = []
    for request in webhook_receiver.requests:
        params = dict(parse_qsl(request["body"].decode()))
        assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        assert validator.validate(callback, params, request["headers"]["X-Twilio-Signature"])
        assert not validator.validate(
            callback,
            {**params, "MessageStatus": "read"}
            if params["MessageStatus"] != "read"
            else {**params, "MessageStatus": "sent"},
            request["headers"]["X-Twilio-Signature"],
        )
        assert params["MessageSid"] == message.sid and params["SmsSid"] == message.sid
        assert params["To"] == TO and params["ChannelPrefix"] == "whatsapp"
        statuses.append(params["MessageStatus"])
    assert statuses == ["queued", "sent", "delivered", "read"]
    # the fetch endpoint follows the callbacks
    assert twilio_client(fake_providers).messages(message.sid).fetch().status == "read"


def test_undeliverable_recipient_ends_undelivered_with_error_code(fake_providers, webhook_receiver):
    fake_providers.set_behaviour(
        "twilio",
        undeliverable={TO: 63016},
        callbacks={"delay_ms": 5, "statuses": ["sent", "delivered", "read"]},
    )
    twilio_client(fake_providers).messages.create(
        to=TO, from_=FROM, body="hi", status_callback=f"{webhook_receiver.url}/s"
    )
    fake_providers.wait_for(lambda f: len(webhook_receiver.requests) >= 2)
    params = [dict(parse_qsl(r["body"].decode())) for r in webhook_receiver.requests]
    assert [p["MessageStatus"] for p in params] == ["sent", "undelivered"]
    assert params[-1]["ErrorCode"] == "63016" and "ErrorCode" not in params[0]


def test_callbacks_can_be_turned_off(fake_providers, webhook_receiver):
    fake_providers.set_behaviour("twilio", callbacks={"enabled": False, "delay_ms": 1})
    twilio_client(fake_providers).messages.create(
        to=TO, from_=FROM, body="hi", status_callback=f"{webhook_receiver.url}/s"
    )
    asyncio.run(asyncio.sleep(0.3))
    assert webhook_receiver.requests == []


def test_429_carries_retry_after_in_twilio_shape(fake_providers):
    fake_providers.set_behaviour("twilio", failure={"mode": "429", "retry_after": 7, "count": 1})

    async def post():
        auth = {"Authorization": _basic(fake_providers)}
        url = f"{fake_providers.urls['twilio']}/2010-04-01/Accounts/{fake_providers.twilio_account_sid}/Messages.json"
        async with aiohttp.ClientSession(headers=auth) as session:
            first = await session.post(url, data={"To": TO, "From": FROM, "Body": "x"})
            second = await session.post(url, data={"To": TO, "From": FROM, "Body": "x"})
            return first.status, first.headers.get("Retry-After"), await first.json(), second.status

    status, retry_after, body, then = asyncio.run(post())
    assert (status, retry_after, then) == (429, "7", 201)
    assert body["code"] == 20429 and body["status"] == 429


def _list(fakes, query: str) -> tuple[int, dict]:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{fakes.urls['twilio']}/2010-04-01/Accounts/{fakes.twilio_account_sid}/Messages.json"
        f"?{query}",
        headers={"Authorization": _basic(fakes)},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_messages_list_filters_by_recipient_and_date_sent_against_the_contract(fake_providers):
    from datetime import UTC, datetime, timedelta

    client = twilio_client(fake_providers)
    other = "whatsapp:+5215500000001"
    before = datetime.now(UTC) - timedelta(seconds=2)
    sids = [client.messages.create(to=TO, from_=FROM, body=f"Hola {n}").sid for n in range(3)]
    client.messages.create(to=other, from_=FROM, body="Otra")

    # The SDK's own list call: To and DateSent> (on or after), newest first.
    listed = client.messages.list(to=TO, date_sent_after=before)
    assert [message.sid for message in listed] == sids[::-1]
    assert all(message.date_sent is not None for message in listed)
    assert (
        client.messages.list(to=TO, date_sent_after=datetime.now(UTC) + timedelta(minutes=1)) == []
    )
    assert client.messages.list(to=TO, date_sent_before=before) == []
    # Paged: two pages of two, the SDK following next_page_uri.
    assert [m.sid for m in client.messages.list(to=TO, page_size=2)] == sids[::-1]

    status, body = _list(fake_providers, "To=whatsapp%3A%2B5215500000001&PageSize=1")
    assert status == 200
    assert [message["to"] for message in body["messages"]] == [other]
    assert contracts_load().twilio_list.violations(body) == []


def test_messages_list_refuses_what_the_contract_does_not_allow(fake_providers):
    status, body = _list(fake_providers, "PageSize=5000")
    assert (status, body["code"]) == (400, 20001)
    status, body = _list(fake_providers, "DateSent%3E=yesterday")
    assert (status, body["code"]) == (400, 20001)
    status, body = _list(fake_providers, "Colour=blue")
    assert (status, body["code"]) == (400, 20001)
