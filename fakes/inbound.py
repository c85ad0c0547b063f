"""The inbound simulator: make a WhatsApp number "reply" to the business sender.

``POST /_control/twilio/inbound`` builds the incoming-message webhook Twilio would send
(contracts/twilio_inbound_message.md: the common and WhatsApp parameters for a text, a
quick-reply button press, media or a quoted reply), signs it with ``X-Twilio-Signature`` over
the URL it is signed for, POSTs it and returns the app's answer.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlencode

import aiohttp

from fakes.callbacks import twilio_signature, url_rewrite

DEFAULT_SENDER = "+14155238886"

# Every parameter name the simulator may send (checked against the contract by a test).
PARAMETERS = frozenset(
    {
        "AccountSid",
        "ApiVersion",
        "Body",
        "ButtonPayload",
        "ButtonText",
        "ButtonType",
        "Forwarded",
        "FrequentlyForwarded",
        "From",
        "MessageSid",
        "MessageType",
        "NumMedia",
        "NumSegments",
        "OriginalRepliedMessageSender",
        "OriginalRepliedMessageSid",
        "ProfileName",
        "ReferralNumMedia",
        "SmsMessageSid",
        "SmsSid",
        "SmsStatus",
        "To",
        "WaId",
        "MediaUrl{N}",
        "MediaContentType{N}",
        "Latitude",
        "Longitude",
        "Address",
        "Label",
    }
)


class InboundError(ValueError):
    pass


def _text(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str | int | float):
        raise InboundError(f"{key} must be a string")
    return str(value)


def inbound_params(data: dict[str, Any], *, account_sid: str) -> dict[str, str]:
    """The webhook's form parameters for a simulated reply described by ``data``."""
    number = _text(data, "from").removeprefix("whatsapp:")
    if not number.startswith("+") or not number[1:].isdigit() or not 8 <= len(number) <= 16:
        raise InboundError("from must be an E.164 number such as +5215512345678")
    sender = _text(data, "to", DEFAULT_SENDER).removeprefix("whatsapp:")
    media = data.get("media") or []
    if not isinstance(media, list) or not all(
        isinstance(item, dict) and isinstance(item.get("url"), str) for item in media
    ):
        raise InboundError("media must be a list of {url, content_type}")
    payload = _text(data, "button_payload")
    button_text = _text(data, "button_text", payload)
    body = _text(data, "body", button_text if payload else "")
    prefix = "MM" if media else "SM"
    sid = _text(data, "message_sid") or prefix + uuid.uuid4().hex
    kind = "interactive" if payload else ("image" if media else "text")
    if data.get("latitude") is not None:
        kind = "location"
    params = {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "Forwarded": "false",
        "FrequentlyForwarded": "false",
        "From": f"whatsapp:{number}",
        "MessageSid": sid,
        "MessageType": kind,
        "NumMedia": str(len(media)),
        "NumSegments": "1",
        "ProfileName": _text(data, "profile_name", "Creator"),
        "ReferralNumMedia": "0",
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "SmsStatus": "received",
        "To": f"whatsapp:{sender}",
        "WaId": number[1:],
    }
    for index, item in enumerate(media):
        params[f"MediaUrl{index}"] = item["url"]
        params[f"MediaContentType{index}"] = str(item.get("content_type") or "image/jpeg")
    if payload:
        params.update({"ButtonPayload": payload, "ButtonText": button_text, "ButtonType": "REPLY"})
    replied = _text(data, "original_replied_message_sid")
    if replied:
        params["OriginalRepliedMessageSid"] = replied
        params["OriginalRepliedMessageSender"] = f"whatsapp:{sender}"
    if data.get("latitude") is not None:
        params["Latitude"] = _text(data, "latitude")
        params["Longitude"] = _text(data, "longitude")
        for key, name in (("address", "Address"), ("label", "Label")):
            if data.get(key):
                params[name] = _text(data, key)
    return params


async def inbound_send(
    *,
    data: dict[str, Any],
    account_sid: str,
    auth_token: str,
    default_url: str | None,
    rewrite: dict[str, str] | None,
) -> dict[str, Any]:
    """Sign and POST the webhook; the app's status and body come back with what was sent."""
    url = _text(data, "url") or (default_url or "")
    if not url.startswith(("http://", "https://")):
        raise InboundError("url (the app's incoming-message webhook URL) is required")
    params = inbound_params(data, account_sid=account_sid)
    post_url = _text(data, "post_url") or url_rewrite(url, rewrite)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio_signature(auth_token, url, params),
        "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        "User-Agent": "TwilioProxy/1.1",
    }
    entry: dict[str, Any] = {"url": url, "post_url": post_url, "params": params, "at": time.time()}
    timeout = aiohttp.ClientTimeout(total=15)  # Twilio waits 15 s for the answer
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(post_url, data=urlencode(params).encode(), headers=headers) as response,
        ):
            entry["status"] = response.status
            entry["body"] = (await response.text())[:2000]
            entry["content_type"] = response.headers.get("Content-Type", "")
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        entry["status"] = None
        entry["error"] = f"{type(error).__name__}: {error}"
    return entry
