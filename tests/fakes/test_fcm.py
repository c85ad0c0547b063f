"""google-auth + aiohttp against the fake FCM HTTP v1 API and its OAuth token endpoint."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import google.auth.exceptions
import google.auth.transport.requests
import pytest
from google.oauth2 import service_account

from fakes.fcm_auth import ServiceAccount

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


@pytest.fixture
def access_token(fake_providers, tmp_path) -> str:
    path = fake_providers.fcm_credentials_write(tmp_path / "sa.json")
    credentials = service_account.Credentials.from_service_account_file(str(path), scopes=[SCOPE])
    credentials.refresh(google.auth.transport.requests.Request())
    assert credentials.token.startswith("ya29.fake-")
    return credentials.token


def send(fakes, token, body, project=None):
    async def post():
        url = f"{fakes.urls['fcm']}/v1/projects/{project or fakes.fcm_project_id}/messages:send"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=body, headers=headers) as response:
                return response.status, await response.json(), dict(response.headers)

    return asyncio.run(post())


def test_google_auth_token_then_send(fake_providers, access_token):
    body = {
        "message": {
            "token": "device-1",
            "notification": {"title": "Nuevo reto", "body": "Participa"},
            "data": {"delivery_token": "t-1", "link": "altavoz://c/42"},
            "android": {
                "priority": "HIGH",
                "ttl": "3600s",
                "notification": {"channel_id": "campaigns"},
            },
            "apns": {"headers": {"apns-priority": "10"}, "payload": {"aps": {"sound": "default"}}},
            "fcmOptions": {"analyticsLabel": "campaign_42"},
        }
    }
    status, answer, _ = send(fake_providers, access_token, body)
    assert status == 200
    assert answer["name"].startswith(f"projects/{fake_providers.fcm_project_id}/messages/")
    [record] = fake_providers.received("fcm")
    assert record["recipients"] == ["device-1"] and record["provider_id"] == answer["name"]


@pytest.mark.parametrize(
    ("message", "needle"),
    [
        ({"token": "a", "topic": "b"}, "oneof field 'target' is already set"),
        ({}, "Recipient of the message is not set."),
        (
            {"token": "a", "data": {"n": 12}},
            "Invalid value at 'message.data[n].value' (TYPE_STRING)",
        ),
        ({"token": "a", "data": {"from": "x"}}, "Invalid data payload key: from"),
        ({"token": "a", "bogus": 1}, 'Unknown name "bogus"'),
        ({"token": "a", "android": {"ttl": "1 day"}}, "message.android.ttl"),
        ({"token": "a", "android": {"priority": "URGENT"}}, "message.android.priority"),
        ({"token": "a", "data": {"big": "x" * 5000}}, "Message is too big"),
    ],
)
def test_invalid_messages_get_the_google_error_envelope(
    fake_providers, access_token, message, needle
):
    status, answer, _ = send(fake_providers, access_token, {"message": message})
    assert status == 400
    error = answer["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert needle in error["message"]
    assert {"@type": FCM_ERROR, "errorCode": "INVALID_ARGUMENT"} in error["details"]
    assert fake_providers.received("fcm", accepted=True) == []


def test_unregistered_token_is_404_with_fcm_error(fake_providers, access_token):
    fake_providers.set_behaviour("fcm", recipient_errors={"dead-token": None})
    status, answer, _ = send(fake_providers, access_token, {"message": {"token": "dead-token"}})
    assert status == 404
    assert answer["error"]["status"] == "NOT_FOUND"
    assert answer["error"]["details"] == [{"@type": FCM_ERROR, "errorCode": "UNREGISTERED"}]
    assert send(fake_providers, access_token, {"message": {"token": "live"}})[0] == 200


def test_missing_or_unknown_bearer_is_401(fake_providers):
    assert (
        send(fake_providers, None, {"message": {"token": "a"}})[1]["error"]["status"]
        == "UNAUTHENTICATED"
    )
    assert send(fake_providers, "ya29.made-up", {"message": {"token": "a"}})[0] == 401


def test_wrong_project_is_403(fake_providers, access_token):
    status, answer, _ = send(
        fake_providers, access_token, {"message": {"token": "a"}}, project="other"
    )
    assert status == 403 and answer["error"]["status"] == "PERMISSION_DENIED"


def test_assertion_signed_by_another_key_is_refused(fake_providers, tmp_path):
    genuine = json.loads(fake_providers.fcm_credentials_write(tmp_path / "sa.json").read_text())
    impostor = ServiceAccount(
        project_id=genuine["project_id"],
        token_uri=genuine["token_uri"],
        client_email=genuine["client_email"],
        private_key_id=genuine["private_key_id"],
    )
    path = impostor.write(tmp_path / "impostor.json")
    credentials = service_account.Credentials.from_service_account_file(str(path), scopes=[SCOPE])
    with pytest.raises(google.auth.exceptions.RefreshError, match="Invalid JWT Signature"):
        credentials.refresh(google.auth.transport.requests.Request())
