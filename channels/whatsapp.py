"""WhatsApp through Twilio's Messages API, with the official SDK on its async (aiohttp) client.

Templates go as ContentSid + ContentVariables (approved WhatsApp templates); free text goes as
Body (only valid inside the creator's 24-hour session window). Each message carries its own
StatusCallback URL naming the delivery, so a status callback settles even a delivery whose
worker died before it could record the provider's answer.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import urlencode

import aiohttp
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from channels.base import Outcome, Outgoing, SendResult, error_text, retry_after_seconds
from channels.http import gather_bounded, session_create, transport_failure

logger = logging.getLogger(__name__)

# Twilio error codes that will never succeed on retry for this recipient.
# https://www.twilio.com/docs/api/errors: 21211 invalid 'To', 21408 region not enabled,
# 21610 recipient unsubscribed (STOP), 21614 not a mobile number, 63003 not a WhatsApp user,
# 63016 outside the 24-hour window without a template, 63024 invalid message recipient.
PERMANENT_ERROR_CODES = {21211, 21408, 21610, 21612, 21614, 63003, 63016, 63024}


class ProviderBusy(Exception):
    """Twilio answered 429 or 5xx: it did not take the message."""

    def __init__(self, status: int, retry_after: float | None, body: str) -> None:
        super().__init__(f"twilio {status}: {body}")
        self.status, self.retry_after, self.body = status, retry_after, body


class PooledTwilioHttpClient(AsyncHttpClient):
    """The SDK's request building and parsing over our pooled aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        super().__init__(logger=logger, is_async=True, timeout=None)
        self.session = session

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = basic_authorization(*auth)
        # Encoding the form ourselves is several times cheaper than aiohttp's FormData.
        body = urlencode(data, doseq=True).encode() if data else None
        async with self.session.request(
            method.upper(),
            uri,
            params=params,
            data=body,
            headers=headers,
            allow_redirects=allow_redirects,
        ) as response:
            text = await response.text()
            if response.status == 429 or response.status >= 500:
                raise ProviderBusy(
                    response.status, retry_after_seconds(response.headers.get("Retry-After")), text
                )
            return Response(response.status, text, response.headers)


@functools.lru_cache(maxsize=8)
def basic_authorization(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class WhatsAppAdapter:
    code: ClassVar[str] = "whatsapp"

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._client: Client | None = None

    def _twilio(self) -> Client:
        if self._client is None:
            self._session = session_create()
            self._client = Client(
                settings.TWILIO_ACCOUNT_SID,
                settings.TWILIO_AUTH_TOKEN,
                http_client=PooledTwilioHttpClient(self._session),
            )
            self._client.api.base_url = settings.TWILIO_BASE_URL
        return self._client

    async def send_batch(self, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        client = self._twilio()
        return await gather_bounded(
            outgoing, lambda item: self._send_one(client, item), settings.CHANNEL_CONCURRENCY
        )

    async def _send_one(self, client: Client, item: Outgoing) -> SendResult:
        try:
            message = await client.messages.create_async(**message_params(item))
        except TwilioRestException as error:
            outcome = Outcome.REJECTED if error.status < 500 else Outcome.UNAVAILABLE
            if error.code and error.code not in PERMANENT_ERROR_CODES and error.status >= 500:
                outcome = Outcome.UNAVAILABLE
            return SendResult(
                item.delivery_id,
                outcome,
                error_code=str(error.code or error.status),
                error_message=error_text(error.msg),
            )
        except ProviderBusy as error:
            logger.warning("twilio busy: status=%s body=%s", error.status, error.body[:200])
            return SendResult(
                item.delivery_id,
                Outcome.UNAVAILABLE,
                error_code=f"http_{error.status}",
                error_message=error_text(error.body),
                retry_after=error.retry_after,
            )
        except Exception as error:  # transport errors; anything else is re-raised inside
            return transport_failure(item, error)
        return SendResult.accepted(item, message.sid)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session, self._client = None, None


def message_params(item: Outgoing) -> dict[str, Any]:
    content = item.content
    params: dict[str, Any] = {
        "to": f"whatsapp:{item.phone}",
        "from_": f"whatsapp:{settings.TWILIO_WHATSAPP_FROM}",
    }
    if item.status_callback_url:
        params["status_callback"] = item.status_callback_url
    if content.get("content_sid"):
        params["content_sid"] = content["content_sid"]
        params["content_variables"] = json.dumps(content.get("variables") or {}, ensure_ascii=False)
    else:
        params["body"] = content["body"]
    return params
