"""Fake Twilio Messages API (2010-04-01): create, fetch, list, status callbacks."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from aiohttp import web

from fakes.callbacks import url_rewrite
from fakes.core import Fakes, failure_apply, json_response
from fakes.state import Failure

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
URL = re.compile(r"^https?://[^\s/?#_]+(:\d+)?([/?#]\S*)?$")
# Synchronous errors of the Messages API, with the messages Twilio uses.
ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service is unavailable. Please try again",
    21211: "Invalid 'To' Phone Number: {to}",
    21212: "Invalid 'From' Phone Number: {from_}",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}",
    21602: "Message body is required.",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
    21604: "A 'To' phone number is required.",
    21609: "Invalid StatusCallback url: {status_callback}",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    21620: "Invalid media URL(s)",
    21655: "The ContentSid is Invalid.",
    21656: "The ContentVariables Parameter is invalid.",
    21701: "The Messaging Service Sid {messaging_service_sid} is invalid.",
    21910: "Invalid From and To pair. From and To should be of the same channel",
    63003: "Channel could not find To address",
    63016: "Failed to send freeform message because you are outside the allowed window. "
    "If you want to send a message outside this window, you need to use a Message Template.",
    20001: "Invalid parameter {field}: {detail}",
}
FIELD_CODES = {
    "To": 21211,
    "From": 21212,
    "StatusCallback": 21609,
    "MediaUrl": 21620,
    "ContentSid": 21655,
    "ContentVariables": 21656,
    "MessagingServiceSid": 21701,
}


class TwilioError(Exception):
    def __init__(self, code: int, status: int = 400, **fmt: Any) -> None:
        self.code, self.status = code, status
        template = ERROR_MESSAGES.get(code, "Error {code}")
        try:
            self.message = template.format(code=code, **fmt)
        except (KeyError, IndexError):
            self.message = template
        super().__init__(self.message)

    def response(self, headers: dict[str, str] | None = None) -> web.Response:
        body = {
            "code": self.code,
            "message": self.message,
            "more_info": MORE_INFO.format(code=self.code),
            "status": self.status,
        }
        return json_response(body, self.status, headers)


def _failure_response(kind: str, failure: Failure, status: int | None = None) -> web.Response:
    if kind == "429":
        error = TwilioError(20429, 429)
        return error.response({"Retry-After": f"{failure.retry_after:g}"})
    status = status or failure.status or 503
    error = TwilioError(20503 if status == 503 else 20500, status)
    headers = {"Retry-After": f"{failure.retry_after:g}"} if status == 503 else None
    return error.response(headers)


def _rfc2822(now: datetime) -> str:
    return format_datetime(now, usegmt=True).replace("GMT", "+0000")


def _coerce(params: dict[str, list[str]], arrays: frozenset[str], typed: dict[str, str]):
    """Form fields → the typed document the contract schema describes (as Twilio parses)."""
    doc: dict[str, Any] = {}
    for name, values in params.items():
        if name in arrays:
            doc[name] = values
            continue
        value: Any = values[-1]
        kind = typed.get(name)
        try:
            if kind == "integer":
                value = int(value)
            elif kind == "number":
                value = float(value)
            elif kind == "boolean" and value.lower() in {"true", "false"}:
                value = value.lower() == "true"
        except ValueError:
            pass  # left a string: the schema reports the type error
        doc[name] = value
    return doc


def _channel(address: str) -> tuple[str | None, str]:
    prefix, sep, rest = address.partition(":")
    return (prefix, rest) if sep else (None, address)


def _check(fakes: Fakes, doc: dict[str, Any]) -> None:
    """Raise TwilioError for what the real Messages API refuses."""
    fmt = {
        "to": doc.get("To", ""),
        "from_": doc.get("From", ""),
        "status_callback": doc.get("StatusCallback", ""),
        "messaging_service_sid": doc.get("MessagingServiceSid", ""),
    }
    for violation in fakes.contracts.twilio_create.violations(doc):
        if violation.missing == "To":
            raise TwilioError(21604)
        field = violation.path.split(".")[0] if violation.path else violation.missing or ""
        code = FIELD_CODES.get(field, 20001)
        raise TwilioError(code, field=field, detail=violation.message, **fmt)
    to = doc.get("To", "")
    if not to:
        raise TwilioError(21604)
    to_channel, to_number = _channel(to)
    if not E164.match(to_number):
        raise TwilioError(21211, **fmt)
    sender = doc.get("From")
    if not sender and not doc.get("MessagingServiceSid"):
        raise TwilioError(21603)
    if sender:
        from_channel, from_number = _channel(sender)
        if from_channel != to_channel:
            raise TwilioError(21910)
        if not (E164.match(from_number) or re.match(r"^[A-Za-z0-9 ]{1,11}$", from_number)):
            raise TwilioError(21212, **fmt)
    if not (doc.get("Body") or doc.get("MediaUrl") or doc.get("ContentSid")):
        raise TwilioError(21602)
    if len(doc.get("Body") or "") > 1600:
        raise TwilioError(21617)
    if doc.get("StatusCallback") and not URL.match(doc["StatusCallback"]):
        raise TwilioError(21609, **fmt)
    if "ContentVariables" in doc:
        try:
            variables = json.loads(doc["ContentVariables"])
        except (TypeError, ValueError):
            variables = None
        if not isinstance(variables, dict):
            raise TwilioError(21656)


def _query_time(value: str) -> datetime:
    """A DateSent filter: an ISO 8601 date-time (UTC when it has no offset) or a date."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _sent_within(resource: dict[str, Any], bounds: dict[str, datetime]) -> bool:
    if not resource.get("date_sent"):
        return False
    sent = parsedate_to_datetime(resource["date_sent"])
    if "DateSent" in bounds and sent.date() != bounds["DateSent"].date():
        return False
    if "DateSent>" in bounds and sent < bounds["DateSent>"]:
        return False
    return not ("DateSent<" in bounds and sent > bounds["DateSent<"])


def _authorized(fakes: Fakes, request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    s = fakes.settings
    return user == s.twilio_account_sid and password == s.twilio_auth_token


def _schedule_callbacks(
    fakes: Fakes, resource: dict[str, Any], status_callback: str, failure: Any = False
) -> None:
    behaviour = fakes.behaviours["twilio"]
    config = behaviour.callbacks
    if not config.get("enabled") or not status_callback:
        return
    statuses = [s for s in config.get("statuses", []) if s]
    if failure is False:
        failure = behaviour.undeliverable.get(resource["to"], False)
    error_code: str | None = None
    if failure is not False:
        spec = failure if isinstance(failure, dict) else {"code": failure}
        final = spec.get("status", "undelivered")
        error_code = str(spec.get("code") or 30003)
        keep = ["queued"] if final == "failed" else ["queued", "sent"]
        statuses = [s for s in statuses if s in keep] + [final]
    delay = float(config.get("delay_ms", 100)) / 1000.0
    dues = [delay * (i + 1) for i in range(len(statuses))]
    if config.get("shuffle"):
        behaviour.rng.shuffle(dues)
    channel, _ = _channel(resource["to"])
    url = url_rewrite(status_callback, config.get("rewrite"))
    for status, due in zip(statuses, dues, strict=True):
        params = {
            "AccountSid": resource["account_sid"],
            "ApiVersion": "2010-04-01",
            "From": resource["from"] or "",
            "MessageSid": resource["sid"],
            "MessageStatus": status,
            "SmsSid": resource["sid"],
            "SmsStatus": status,
            "To": resource["to"],
        }
        if channel:
            params["ChannelPrefix"] = channel
        if resource.get("messaging_service_sid"):
            params["MessagingServiceSid"] = resource["messaging_service_sid"]
        if error_code and status in {"failed", "undelivered"}:
            params["ErrorCode"] = error_code
        payload = {"url": url, "sign_url": status_callback, "params": params}
        fakes.callbacks.schedule(due, "twilio", payload)
        if behaviour.rng.random() < float(config.get("duplicate_rate", 0.0)):
            fakes.callbacks.schedule(due + delay, "twilio", payload)


def app_build(fakes: Fakes) -> web.Application:
    arrays = fakes.contracts.twilio_array_fields
    typed = fakes.contracts.twilio_typed_fields

    async def messages_create(request: web.Request) -> web.StreamResponse:
        behaviour = fakes.behaviours["twilio"]
        raw = await request.read()
        await behaviour.delay()
        account_sid = request.match_info["account_sid"]
        if not _authorized(fakes, request):
            return TwilioError(20003, 401).response(
                {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            )
        if account_sid != fakes.settings.twilio_account_sid:
            return TwilioError(20404, 404, path=request.path).response()
        params = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        to = params.get("To", [""])[-1]
        drawn = behaviour.failure_draw()
        accepted_then_stalled = False
        if drawn:
            kind, failure = drawn
            if not (kind == "timeout" and failure.accept):
                fakes.outbox.add(
                    "twilio", accepted=False, outcome=kind, recipients=[to], request=params
                )
                return await failure_apply(request, kind, failure, _failure_response)
            accepted_then_stalled = True
        doc = _coerce(params, arrays, typed)
        try:
            _check(fakes, doc)
            if to in behaviour.recipient_errors:
                code = behaviour.recipient_errors[to] or 21211
                raise TwilioError(int(code), to=to)
        except TwilioError as error:
            fakes.outbox.add(
                "twilio",
                accepted=False,
                outcome="invalid",
                recipients=[to],
                request=doc,
                status=error.status,
                error={"code": error.code, "message": error.message},
            )
            return error.response()
        # Free-form WhatsApp outside the 24-hour window: accepted, then failed with 63016.
        outside_window = (
            behaviour.whatsapp_window
            and _channel(to)[0] == "whatsapp"
            and not doc.get("ContentSid")
            and not fakes.whatsapp_window_open(to)
        )
        now = datetime.now(UTC)
        sid = "SM" + uuid.uuid4().hex
        stamp = _rfc2822(now)
        resource = {
            "account_sid": account_sid,
            "api_version": "2010-04-01",
            "body": doc.get("Body", ""),
            "date_created": stamp,
            "date_sent": None,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": doc.get("From"),
            "messaging_service_sid": doc.get("MessagingServiceSid"),
            "num_media": str(len(doc.get("MediaUrl", []))),
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        }
        # The fake hands a message on at once: the 201 says `queued` with no date_sent (as
        # Twilio's does), and the stored resource (fetch, list) has its date_sent from then.
        stored = {**resource, "date_sent": stamp}
        if outside_window:
            stored.update(
                {"status": "failed", "error_code": 63016, "error_message": ERROR_MESSAGES[63016]}
            )
        fakes.twilio_message_store(sid, stored)
        fakes.outbox.add(
            "twilio",
            accepted=True,
            outcome="timeout-accepted" if accepted_then_stalled else "accepted",
            messages=1,
            recipients=[to],
            provider_id=sid,
            request=doc,
            status=201,
        )
        _schedule_callbacks(
            fakes,
            resource,
            doc.get("StatusCallback", ""),
            {"status": "failed", "code": 63016} if outside_window else False,
        )
        if accepted_then_stalled:
            assert drawn is not None
            return await failure_apply(request, "timeout", drawn[1], _failure_response)
        return json_response(resource, 201)

    async def message_fetch(request: web.Request) -> web.Response:
        await fakes.behaviours["twilio"].delay()
        if not _authorized(fakes, request):
            return TwilioError(20003, 401).response()
        resource = fakes.twilio_messages.get(request.match_info["sid"])
        if resource is None or request.match_info["account_sid"] != resource["account_sid"]:
            return TwilioError(20404, 404, path=request.path).response()
        return json_response(resource)

    list_typed = fakes.contracts.twilio_list_typed_fields

    async def messages_list(request: web.Request) -> web.Response:
        """GET Messages.json: the account's messages, newest first, filtered by To, From and
        DateSent / DateSent< / DateSent> (on or before / on or after), paged by Page and
        PageSize, with the query checked against the contract's parameters."""
        await fakes.behaviours["twilio"].delay()
        account_sid = request.match_info["account_sid"]
        if not _authorized(fakes, request):
            return TwilioError(20003, 401).response()
        if account_sid != fakes.settings.twilio_account_sid:
            return TwilioError(20404, 404, path=request.path).response()
        query = {name: request.query.getall(name) for name in request.query}
        doc = _coerce(query, frozenset(), list_typed)
        for violation in fakes.contracts.twilio_list_query.violations(doc):
            field = violation.path.split(".")[0] if violation.path else ""
            return TwilioError(20001, field=field, detail=violation.message).response()
        try:
            bounds = {
                name: _query_time(doc[name])
                for name in ("DateSent", "DateSent<", "DateSent>")
                if name in doc
            }
        except ValueError as error:
            return TwilioError(20001, field="DateSent", detail=str(error)).response()
        page_size, page = int(doc.get("PageSize", 50)), int(doc.get("Page", 0))
        found = []
        for resource in reversed(fakes.twilio_messages.values()):
            if resource["account_sid"] != account_sid:
                continue
            if "To" in doc and resource["to"] != doc["To"]:
                continue
            if "From" in doc and resource["from"] != doc["From"]:
                continue
            if bounds and not _sent_within(resource, bounds):
                continue
            found.append(resource)
        start = page * page_size
        messages = found[start : start + page_size]
        base = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        filters = {k: v[-1] for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int) -> str:
            return f"{base}?{urlencode({**filters, 'PageSize': page_size, 'Page': number})}"

        body = {
            "end": start + max(0, len(messages) - 1),
            "first_page_uri": page_uri(0),
            "messages": messages,
            "next_page_uri": page_uri(page + 1) if start + page_size < len(found) else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
            "start": start,
            "uri": page_uri(page),
        }
        return json_response(body)

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_get("/2010-04-01/Accounts/{account_sid}/Messages.json", messages_list)
    app.router.add_post("/2010-04-01/Accounts/{account_sid}/Messages.json", messages_create)
    app.router.add_get("/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json", message_fetch)
    return app
