"""Fake SendGrid v3 Mail Send (``POST /v3/mail/send``) and its Event Webhook."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from typing import Any

from aiohttp import web

from fakes.callbacks import url_rewrite
from fakes.core import Fakes, failure_apply, json_response
from fakes.state import Failure

HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.{anchor}"
EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
HREF = re.compile(r"""href=["'](https?://[^"']+)["']""", re.I)
MESSAGES = {
    "personalizations": "The personalizations field is required and must have at least one "
    "personalization.",
    "from": "The from object must be provided for every email send. It is an object that "
    "requires the email parameter, but may also contain a name parameter.",
    "to": "The to array is required for all personalization objects, and must have at least "
    "one email object with a valid email address.",
    "content": "Unless a valid template_id is provided, the content parameter is required. There "
    "must be at least one defined content block. We typically suggest both text/plain and "
    "text/html blocks are included, but only one block is required.",
    "subject": "The subject is required. You can get around this requirement if you use a "
    "template with a subject defined or if every personalization has a subject defined.",
    "email": "Does not contain a valid address.",
    "recipients": "The total number of recipients must be less than 1000. This includes all "
    "recipients defined within the to, cc, and bcc parameters, across each object that you "
    "include in the personalizations array.",
    "content_order": "If present, text/plain and text/html may only be the first two content "
    "types, in that order.",
}


def _error(message: str, field: str | None, anchor: str | None = None) -> dict[str, Any]:
    return {
        "message": message,
        "field": field,
        "help": HELP.format(anchor=anchor or (field or "").split(".")[0]) if field else None,
    }


def errors_response(errors: list[dict[str, Any]], status: int = 400, headers=None):
    return json_response({"errors": errors}, status, headers)


def _failure_response(kind: str, failure: Failure, status: int | None = None) -> web.Response:
    retry = f"{failure.retry_after:g}"
    if kind == "429":
        reset = str(int(time.time() + failure.retry_after))
        headers: dict[str, str] | None = {
            "Retry-After": retry,
            "X-RateLimit-Limit": "600",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset,
        }
        return errors_response([_error("too many requests", None)], 429, headers)
    status = status or failure.status or 503
    headers = {"Retry-After": retry} if status == 503 else None
    return errors_response(
        [_error("Service Unavailable" if status == 503 else "Internal server error", None)],
        status,
        headers,
    )


def _check(fakes: Fakes, body: Any) -> list[dict[str, Any]]:
    """Every reason the real Mail Send API would give a 400, as its error objects."""
    errors = []
    for v in fakes.contracts.sendgrid_send.violations(body):
        if v.missing in {"personalizations", "from"} and not v.path:
            errors.append(_error(MESSAGES[v.missing], v.missing))
        elif v.missing == "to":
            errors.append(_error(MESSAGES["to"], f"{v.path}.to", "personalizations.to"))
        elif v.missing == "email" or v.path.endswith(".email"):
            path = v.path if v.path.endswith(".email") else f"{v.path}.email"
            errors.append(_error(MESSAGES["email"], path))
        else:
            errors.append(_error(v.message, v.path or v.missing or None))
    if errors or not isinstance(body, dict):
        return errors or [_error("Bad Request", None)]
    personalizations = body["personalizations"]
    if not personalizations:
        errors.append(_error(MESSAGES["personalizations"], "personalizations"))
    template = bool(body.get("template_id"))
    total = 0
    for i, p in enumerate(personalizations):
        if not p.get("to"):
            errors.append(_error(MESSAGES["to"], f"personalizations.{i}.to", "personalizations.to"))
        for kind in ("to", "cc", "bcc"):
            for j, address in enumerate(p.get(kind) or []):
                total += 1
                if not EMAIL.match(address["email"]):
                    errors.append(
                        _error(MESSAGES["email"], f"personalizations.{i}.{kind}.{j}.email")
                    )
        for key, value in (p.get("custom_args") or {}).items():
            if not isinstance(value, str):
                errors.append(
                    _error(
                        f"Invalid type. Expected: string, given: {type(value).__name__}.",
                        f"personalizations.{i}.custom_args.{key}",
                        "personalizations.custom_args",
                    )
                )
    if total > 1000:
        errors.append(_error(MESSAGES["recipients"], "personalizations"))
    if not EMAIL.match(body["from"]["email"]):
        errors.append(_error("The from email does not contain a valid address.", "from.email"))
    if not template and not body.get("content"):
        errors.append(_error(MESSAGES["content"], "content"))
    types = [c["type"] for c in body.get("content") or []]
    if ("text/plain" in types and types.index("text/plain") != 0) or (
        "text/html" in types and types.index("text/html") > (1 if "text/plain" in types else 0)
    ):
        errors.append(_error(MESSAGES["content_order"], "content"))
    if not template and not body.get("subject"):
        if any(not p.get("subject") for p in personalizations):
            errors.append(_error(MESSAGES["subject"], "subject"))
    return errors


def _authorized(fakes: Fakes, request: web.Request) -> bool:
    return request.headers.get("Authorization", "") == f"Bearer {fakes.settings.sendgrid_api_key}"


def _recipients(body: Any) -> list[str]:
    found: list[str] = []
    try:
        for p in body["personalizations"]:
            for kind in ("to", "cc", "bcc"):
                found.extend(a["email"] for a in p.get(kind) or [])
    except (KeyError, TypeError, AttributeError):
        pass
    return found


def _schedule_events(fakes: Fakes, body: dict[str, Any], message_id: str) -> None:
    behaviour = fakes.behaviours["sendgrid"]
    config = behaviour.callbacks
    url = config.get("url")
    if not config.get("enabled") or not url:
        return
    rng = behaviour.rng
    delay = float(config.get("delay_ms", 100)) / 1000.0
    categories = body.get("categories")
    custom_args = body.get("custom_args")
    message_args = custom_args if isinstance(custom_args, dict) else {}
    html = next((c["value"] for c in body.get("content") or [] if c["type"] == "text/html"), "")
    link = HREF.search(html)
    now = int(time.time())
    wanted = list(config.get("events", []))
    for index, p in enumerate(body["personalizations"]):
        custom = {**message_args, **(p.get("custom_args") or {})}
        for address in [a["email"] for a in p.get("to") or []]:
            sg_message_id = f"{message_id}.filterdrecv-fake-{index}.0"
            smtp_id = f"<{message_id}.{index}@ismtpd-fake>"
            failure = behaviour.undeliverable.get(address, False)
            events = wanted
            extra: dict[str, dict[str, Any]] = {}
            if failure is not False:
                kind = failure if failure in {"dropped", "bounce", "blocked"} else "bounce"
                if kind == "dropped":
                    events = ["dropped"]
                    extra["dropped"] = {"reason": "Bounced Address", "status": "5.0.0"}
                else:
                    events = ["processed", "bounce"]
                    extra["bounce"] = {
                        "reason": "550 5.1.1 The email account that you tried to reach does "
                        "not exist.",
                        "status": "5.1.1",
                        "type": "blocked" if kind == "blocked" else "bounce",
                        "bounce_classification": "Invalid Address",
                    }
            step = 0
            dues = [delay * (i + 1) for i in range(len(events))]
            if config.get("shuffle"):
                rng.shuffle(dues)
            for event_type, due in zip(events, dues, strict=True):
                if event_type == "click" and not link:
                    continue
                event: dict[str, Any] = {
                    "email": address,
                    "timestamp": now + step,
                    "event": event_type,
                    "sg_event_id": base64.urlsafe_b64encode(uuid.uuid4().bytes)
                    .decode()
                    .rstrip("="),
                    "sg_message_id": sg_message_id,
                    **custom,
                }
                step += 1
                if event_type in {"processed", "delivered", "bounce", "dropped", "deferred"}:
                    event["smtp-id"] = smtp_id
                if categories:
                    event["category"] = categories
                if event_type == "delivered":
                    event.update({"response": "250 OK", "ip": "127.0.0.1", "tls": 1})
                elif event_type == "open":
                    machine = rng.random() < float(config.get("machine_open_rate", 0.0))
                    event.update(
                        {
                            "useragent": "Mozilla/5.0 (fake)",
                            "ip": "127.0.0.1",
                            "sg_machine_open": machine,
                        }
                    )
                elif event_type == "click":
                    event.update(
                        {
                            "useragent": "Mozilla/5.0 (fake)",
                            "ip": "127.0.0.1",
                            "url": link.group(1),  # type: ignore[union-attr]
                            "url_offset": {"index": 0, "type": "html"},
                        }
                    )
                elif event_type == "deferred":
                    event.update({"response": "421 try again later", "attempt": "1"})
                event.update(extra.get(event_type, {}))
                payload = {
                    "url": url_rewrite(url, config.get("rewrite")),
                    "sign_url": url,
                    "event": event,
                    "batch_size": config.get("batch_size", 500),
                }
                fakes.callbacks.schedule(due, "sendgrid", payload)
                if rng.random() < float(config.get("duplicate_rate", 0.0)):
                    fakes.callbacks.schedule(due + delay, "sendgrid", payload)


def app_build(fakes: Fakes) -> web.Application:
    async def mail_send(request: web.Request) -> web.StreamResponse:
        behaviour = fakes.behaviours["sendgrid"]
        raw = await request.read()
        await behaviour.delay()
        if not _authorized(fakes, request):
            return errors_response(
                [
                    {
                        "message": "The provided authorization grant is invalid, expired, or "
                        "revoked",
                        "field": None,
                        "help": None,
                    }
                ],
                401,
            )
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        recipients = _recipients(body)
        drawn = behaviour.failure_draw()
        accepted_then_stalled = False
        if drawn:
            kind, failure = drawn
            if not (kind == "timeout" and failure.accept and body is not None):
                fakes.outbox.add(
                    "sendgrid", accepted=False, outcome=kind, recipients=recipients, request=body
                )
                return await failure_apply(request, kind, failure, _failure_response)
            accepted_then_stalled = True
        if body is None:
            errors = [_error("Bad Request", None)]
        else:
            errors = _check(fakes, body)
        if not errors:
            for i, p in enumerate(body["personalizations"]):
                for kind in ("to", "cc", "bcc"):
                    for j, address in enumerate(p.get(kind) or []):
                        if address["email"] in behaviour.recipient_errors:
                            message = behaviour.recipient_errors[address["email"]]
                            errors.append(
                                _error(
                                    message if isinstance(message, str) else MESSAGES["email"],
                                    f"personalizations.{i}.{kind}.{j}.email",
                                )
                            )
        if errors:
            fakes.outbox.add(
                "sendgrid",
                accepted=False,
                outcome="invalid",
                recipients=recipients,
                request=body,
                status=400,
                error={"errors": errors},
            )
            return errors_response(errors)
        message_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        fakes.outbox.add(
            "sendgrid",
            accepted=True,
            outcome="timeout-accepted" if accepted_then_stalled else "accepted",
            messages=len(recipients),
            recipients=recipients,
            provider_id=message_id,
            request=body,
            status=202,
        )
        _schedule_events(fakes, body, message_id)
        if accepted_then_stalled:
            assert drawn is not None  # it is the failure that accepted and then stalled
            return await failure_apply(request, "timeout", drawn[1], _failure_response)
        return web.Response(status=202, headers={"X-Message-Id": message_id})

    app = web.Application(client_max_size=32 * 1024 * 1024)
    app.router.add_post("/v3/mail/send", mail_send)
    return app
