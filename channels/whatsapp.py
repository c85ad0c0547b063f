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
import string
from collections.abc import Mapping, Sequence
from datetime import UTC, timedelta
from typing import Any, ClassVar, cast

import aiohttp
import yarl
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageList

from channels.base import Outgoing, Reconciled, SendResult, Unsettled, Verdict
from channels.http import (
    ProviderAnswer,
    answer_classify,
    gather_bounded,
    is_busy,
    session_create,
    transport_failure,
)

logger = logging.getLogger(__name__)

_FORM_SAFE = frozenset(string.ascii_letters + string.digits + "_.-~")

# Twilio error codes that will never succeed on retry for this recipient.
# https://www.twilio.com/docs/api/errors: 21211 invalid 'To', 21408 region not enabled,
# 21610 recipient unsubscribed (STOP), 21614 not a mobile number, 63003 not a WhatsApp user,
# 63016 outside the 24-hour window without a template, 63024 invalid message recipient.
# Permanent whatever the HTTP status; any other error follows the status (channels/http.py).
PERMANENT_ERROR_CODES = frozenset(
    {"21211", "21408", "21610", "21612", "21614", "63003", "63016", "63024"}
)
# Twilio's dates have whole seconds: widen a lookup's window by this much on each side.
RECONCILE_SLACK = timedelta(seconds=2)


class ProviderBusy(Exception):
    """Twilio answered 429 or 5xx. Raised by our HTTP client rather than left to the SDK,
    whose TwilioRestException drops the Retry-After header."""

    def __init__(self, answer: ProviderAnswer) -> None:
        super().__init__(f"twilio {answer.status}: {answer.body}")
        self.answer = answer


def twilio_error_code(body: str) -> str:
    """The `code` of Twilio's JSON error body, if it has one."""
    try:
        code = json.loads(body).get("code")
    except (ValueError, AttributeError):
        return ""
    return str(code) if isinstance(code, int | str) and code else ""


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
        body = form_encode(data).encode("ascii") if data else None
        async with self.session.request(
            method.upper(),
            _url(uri),
            # The SDK types its query as dict[str, object] (this method's signature); the
            # values it builds are the str and int aiohttp takes.
            params=cast("Mapping[str, str | int]", params) or None,
            data=body,
            headers=headers,
            allow_redirects=allow_redirects,
        ) as response:
            text = await response.text()
            if is_busy(response.status):
                raise ProviderBusy(
                    ProviderAnswer.from_http(
                        "twilio",
                        response.status,
                        code=twilio_error_code(text),
                        retry_after_header=response.headers.get("Retry-After"),
                        body=text,
                    )
                )
            return Response(response.status, text, response.headers)


# application/x-www-form-urlencoded, byte by byte: what `urllib.parse.quote_plus` produces
# (letters, digits and "_.-~" kept, space as "+", every other byte as %XX), as one
# `str.translate` over the UTF-8 bytes. `quote_plus` loops in Python per byte, which was a
# tenth of the event loop's time at a few thousand messages a second.
_FORM_BYTE = {
    byte: "+" if byte == 0x20 else chr(byte) if chr(byte) in _FORM_SAFE else f"%{byte:02X}"
    for byte in range(256)
}


def form_quote(value: str) -> str:
    return value.encode("utf-8").decode("latin-1").translate(_FORM_BYTE)


def form_encode(data: dict[str, object]) -> str:
    """`urlencode(data, doseq=True)` for the SDK's form: lists repeat their key."""
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list | tuple) else (value,):
            pairs.append(f"{form_quote(str(key))}={form_quote(str(item))}")
    return "&".join(pairs)


class TwilioClient(Client):
    """The SDK's client with its request headers built once per method and header set:
    `get_headers` asks `platform` three times and formats the User-Agent on every call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headers_built: dict[tuple, dict[str, str]] = {}

    def get_headers(self, method: str, headers: dict[str, str] | None) -> dict[str, str]:
        key = (method, *sorted((headers or {}).items()))
        built = self._headers_built.get(key)
        if built is None:
            built = self._headers_built[key] = super().get_headers(method, dict(headers or {}))
        return dict(built)


@functools.lru_cache(maxsize=64)
def _url(uri: str) -> yarl.URL:
    """The parsed URL of a Twilio endpoint: the same few for every message."""
    return yarl.URL(uri)


@functools.lru_cache(maxsize=8)
def basic_authorization(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class WhatsAppAdapter:
    code: ClassVar[str] = "whatsapp"
    provider: ClassVar[str] = "twilio"
    address_field: ClassVar[str] = "phone"
    needs_device_tokens: ClassVar[bool] = False
    needs_unsubscribe_links: ClassVar[bool] = False

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._client: Client | None = None
        self._messages: MessageList | None = None
        self._sender = ""

    def _twilio(self) -> MessageList:
        """The account's Messages resource (each `client.messages` builds it anew)."""
        if self._messages is None:
            self._session = session_create()
            self._client = TwilioClient(
                settings.TWILIO_ACCOUNT_SID,
                settings.TWILIO_AUTH_TOKEN,
                http_client=PooledTwilioHttpClient(self._session),
            )
            self._client.api.base_url = settings.TWILIO_BASE_URL
            self._messages = self._client.messages
            # Read once: every Django setting access goes through LazySettings.
            self._sender = f"whatsapp:{settings.TWILIO_WHATSAPP_FROM}"
        return self._messages

    async def send_batch(self, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        messages = self._twilio()
        return await gather_bounded(
            outgoing, lambda item: self._send_one(messages, item), settings.CHANNEL_CONCURRENCY
        )

    async def _send_one(self, messages: MessageList, item: Outgoing) -> SendResult:
        try:
            # The SDK's request building, authentication and error handling, without the
            # MessageInstance it would build from the answer (three date parses per message
            # for fields we never read): only the sid is kept.
            payload, _status, _headers = await messages._create_async(
                **message_params(item, sender=self._sender)
            )
        except TwilioRestException as error:
            answer = ProviderAnswer.from_http(
                "twilio", error.status, code=error.code, body=error.msg
            )
            return answer_classify(item.delivery_id, answer, permanent_codes=PERMANENT_ERROR_CODES)
        except ProviderBusy as error:
            return answer_classify(
                item.delivery_id, error.answer, permanent_codes=PERMANENT_ERROR_CODES
            )
        except Exception as error:  # transport errors; anything else is re-raised inside
            return transport_failure(item, error)
        return SendResult.accepted(item, payload["sid"])

    async def reconcile(
        self, unsettled: Sequence[Unsettled], *, known_ids: frozenset[str]
    ) -> list[Reconciled]:
        """Ask Twilio's Messages list, per recipient, what it took while each delivery was on
        its way (`To` and `DateSent>`): a message there that no other delivery already
        claims is this one (`TAKEN`, failed if Twilio says so); none means Twilio never took
        it (`NOT_TAKEN`); an error means ask again later."""
        messages = self._twilio()
        return await gather_bounded(
            unsettled,
            lambda item: self._reconcile_one(messages, item, known_ids),
            min(settings.CHANNEL_CONCURRENCY, 20),
        )

    async def _reconcile_one(
        self, messages: MessageList, item: Unsettled, known_ids: frozenset[str]
    ) -> Reconciled:
        start, end = item.since or item.until, item.until or item.since
        assert start is not None and end is not None, "an unsettled delivery has its times"
        since, until = start - RECONCILE_SLACK, end + RECONCILE_SLACK
        try:
            found = await messages.list_async(
                to=f"whatsapp:{item.phone}", date_sent_after=since.astimezone(UTC), page_size=50
            )
        except (TwilioRestException, ProviderBusy, aiohttp.ClientError, TimeoutError) as error:
            logger.warning("twilio lookup of delivery %s failed: %s", item.delivery_id, error)
            return Reconciled(item.delivery_id, Verdict.UNKNOWN)
        candidates = [
            message
            for message in found
            if message.sid not in known_ids
            and (message.date_sent is None or message.date_sent <= until)
        ]
        if not candidates:
            return Reconciled(item.delivery_id, Verdict.NOT_TAKEN)
        message = candidates[-1]  # newest first: the earliest one sent in the window
        failed = message.status in ("failed", "undelivered")
        return Reconciled(
            item.delivery_id,
            Verdict.TAKEN,
            provider_message_id=message.sid,
            failed=failed,
            error_code=str(message.error_code or "") if failed else "",
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session, self._client, self._messages = None, None, None


def message_params(item: Outgoing, *, sender: str) -> dict[str, Any]:
    """The Messages API parameters for `item`, sent from the WhatsApp address `sender`."""
    content = item.content
    params: dict[str, Any] = {"to": f"whatsapp:{item.phone}", "from_": sender}
    if item.status_callback_url:
        params["status_callback"] = item.status_callback_url
    if content.get("content_sid"):
        params["content_sid"] = content["content_sid"]
        params["content_variables"] = json.dumps(content.get("variables") or {}, ensure_ascii=False)
    else:
        params["body"] = content["body"]
    return params
