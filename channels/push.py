"""Push through Firebase Cloud Messaging HTTP v1: one request per device token.

OAuth2 comes from a service-account file with google-auth (its `token_uri` is used as is, so
the fake provider's token endpoint works the same as Google's). A token FCM calls
UNREGISTERED (or INVALID_ARGUMENT / SENDER_ID_MISMATCH) is reported back so the dispatcher
deletes the device. A delivery counts as accepted when any of the creator's devices took it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import aiohttp
from django.conf import settings
from google.auth.transport.requests import Request as GoogleAuthRequest
from google.oauth2 import service_account

from channels.base import Outcome, Outgoing, Reconciliation, SendResult
from channels.http import (
    ProviderAnswer,
    answer_classify,
    gather_bounded,
    session_create,
    transport_failure,
)

logger = logging.getLogger(__name__)

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
DEAD_TOKEN_ERRORS = {"UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"}


class AccessToken:
    """An OAuth2 access token for FCM, refreshed a minute before it expires."""

    def __init__(self) -> None:
        self._credentials: service_account.Credentials | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        async with self._lock:
            if self._credentials is None:
                self._credentials = service_account.Credentials.from_service_account_file(
                    settings.FCM_CREDENTIALS_FILE, scopes=[FCM_SCOPE]
                )
            credentials = self._credentials
            expiry = credentials.expiry.timestamp() if credentials.expiry else 0
            if not credentials.token or expiry - time.time() < 60:
                await asyncio.to_thread(credentials.refresh, GoogleAuthRequest())
            return credentials.token

    async def invalidate(self) -> None:
        async with self._lock:
            if self._credentials is not None:
                self._credentials.token = None


def fcm_message(item: Outgoing, device_token: str) -> dict[str, Any]:
    content = item.content
    notification = {"title": content.get("title", ""), "body": content.get("body", "")}
    if content.get("image"):
        notification["image"] = content["image"]
    data = {"delivery_id": str(item.delivery_id), "campaign_id": str(item.campaign_id)}
    if content.get("link"):
        data["link"] = content["link"]
    if content.get("tracking_token"):
        data["tracking_token"] = content["tracking_token"]
    return {
        "message": {
            "token": device_token,
            "notification": notification,
            "data": data,
            "android": {"priority": "HIGH", "notification": {"channel_id": "campaigns"}},
            "fcm_options": {"analytics_label": f"campaign_{item.campaign_id}"},
        }
    }


class PushAdapter:
    code: ClassVar[str] = "push"
    provider: ClassVar[str] = "fcm"
    address_field: ClassVar[str] = ""
    needs_device_tokens: ClassVar[bool] = True
    needs_unsubscribe_links: ClassVar[bool] = False
    reconciled_by: ClassVar[Reconciliation] = Reconciliation.NONE
    unverifiable_reason: ClassVar[str] = "delivery.unverifiable_push"

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._token = AccessToken()

    async def send_batch(self, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        if self._session is None:
            self._session = session_create()
        url = f"{settings.FCM_BASE_URL.rstrip('/')}/v1/projects/{settings.FCM_PROJECT_ID}/messages:send"
        pairs = [(item, token) for item in outgoing for token in item.device_tokens]
        per_token = await gather_bounded(
            pairs, lambda pair: self._send_one(url, *pair), settings.CHANNEL_CONCURRENCY
        )
        by_delivery: dict[int, list[tuple[str, SendResult]]] = {}
        for (item, token), result in zip(pairs, per_token, strict=True):
            by_delivery.setdefault(item.delivery_id, []).append((token, result))
        return [
            combine_device_results(item, by_delivery.get(item.delivery_id, [])) for item in outgoing
        ]

    async def _send_one(
        self, url: str, item: Outgoing, device_token: str, retried_auth: bool = False
    ) -> SendResult:
        assert self._session is not None
        try:
            headers = {"Authorization": f"Bearer {await self._token.get()}"}
            async with self._session.post(
                url, json=fcm_message(item, device_token), headers=headers
            ) as response:
                body = await response.read()
                if response.status == 200:
                    return SendResult.accepted(item, (await response.json()).get("name", ""))
                retry_after_header = response.headers.get("Retry-After")
        except Exception as error:
            return transport_failure(item, error)
        error_code = fcm_error_code(body)
        if response.status == 401 and error_code != "THIRD_PARTY_AUTH_ERROR" and not retried_auth:
            await self._token.invalidate()
            return await self._send_one(url, item, device_token, retried_auth=True)
        answer = ProviderAnswer.from_http(
            self.provider,
            response.status,
            code=error_code,
            retry_after_header=retry_after_header,
            body=body,
        )
        result = answer_classify(item.delivery_id, answer)
        if result.outcome is Outcome.REJECTED and error_code in DEAD_TOKEN_ERRORS:
            result.dead_device_tokens.append(device_token)
        return result

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def fcm_error_code(body: bytes) -> str:
    """The FcmError errorCode from Google's error envelope, else its status."""
    import json

    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return ""
    for detail in error.get("details") or []:
        if detail.get("@type", "").endswith("google.firebase.fcm.v1.FcmError") and detail.get(
            "errorCode"
        ):
            return detail["errorCode"]
    return error.get("status", "")


def combine_device_results(item: Outgoing, results: list[tuple[str, SendResult]]) -> SendResult:
    """One result for the delivery from its devices' results: any acceptance wins (never
    retried, so no device gets it twice); otherwise the least final outcome decides."""
    if not results:
        return SendResult(
            item.delivery_id,
            Outcome.REJECTED,
            error_code="no_device",
            error_message="delivery.no_push_device",  # a system message's code
        )
    dead = [token for _token, result in results for token in result.dead_device_tokens]
    accepted = [result for _token, result in results if result.outcome is Outcome.ACCEPTED]
    if accepted:
        combined = SendResult.accepted(item, accepted[0].provider_message_id)
    else:
        order = [Outcome.UNKNOWN, Outcome.UNAVAILABLE, Outcome.REJECTED]
        combined = min(
            (result for _token, result in results), key=lambda result: order.index(result.outcome)
        )
        combined = SendResult(
            item.delivery_id,
            combined.outcome,
            error_code=combined.error_code,
            error_message=combined.error_message,
            retry_after=combined.retry_after,
        )
    combined.dead_device_tokens = dead
    return combined
