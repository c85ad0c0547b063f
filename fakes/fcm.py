"""Fake FCM HTTP v1 (``POST /v1/projects/{project}/messages:send``) and its OAuth token endpoint."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from fakes.core import Fakes, failure_apply, json_response
from fakes.fcm_auth import JWT_BEARER, AssertionRejected
from fakes.state import Failure

FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
TARGETS = ("token", "topic", "condition")
RESERVED_KEYS = {"from", "message_type"}
RESERVED_PREFIXES = ("google.", "gcm.notification.")
MAX_PAYLOAD = 4096
TOPIC_MAX_PAYLOAD = 2048
# FcmError errorCode -> (HTTP status, google.rpc status, message)
FCM_ERRORS = {
    "INVALID_ARGUMENT": (
        400,
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "UNREGISTERED": (404, "NOT_FOUND", "Requested entity was not found."),
    "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED", "SenderId mismatch"),
    "QUOTA_EXCEEDED": (
        429,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Send requests'.",
    ),
    "UNAVAILABLE": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "INTERNAL": (500, "INTERNAL", "Internal error encountered."),
    "THIRD_PARTY_AUTH_ERROR": (401, "UNAUTHENTICATED", "Auth error from APNS or Web Push Service"),
}
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def error_body(
    status: int,
    rpc_status: str,
    message: str,
    *,
    fcm_code: str | None = None,
    violations: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    details: list[dict[str, Any]] = []
    if fcm_code:
        details.append({"@type": FCM_ERROR, "errorCode": fcm_code})
    if violations:
        details.append({"@type": BAD_REQUEST, "fieldViolations": violations})
    error: dict[str, Any] = {"code": status, "message": message, "status": rpc_status}
    if details:
        error["details"] = details
    return {"error": error}


class FcmError(Exception):
    def __init__(self, fcm_code: str, message: str | None = None, violations=None) -> None:
        self.status, self.rpc_status, default = FCM_ERRORS[fcm_code]
        self.fcm_code = fcm_code
        self.message = message or default
        self.violations = violations
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return error_body(
            self.status,
            self.rpc_status,
            self.message,
            fcm_code=self.fcm_code,
            violations=self.violations,
        )


def _failure_response(kind: str, failure: Failure, status: int | None = None) -> web.Response:
    retry = {"Retry-After": f"{failure.retry_after:g}"}
    if kind == "429":
        return json_response(FcmError("QUOTA_EXCEEDED").body(), 429, retry)
    status = status or failure.status or 503
    if status == 503:
        return json_response(FcmError("UNAVAILABLE").body(), 503, retry)
    return json_response(FcmError("INTERNAL").body(), status)


def _invalid(message: str, field: str, description: str | None = None) -> FcmError:
    return FcmError(
        "INVALID_ARGUMENT",
        message,
        [{"field": field, "description": description or message}],
    )


def _check(fakes: Fakes, body: Any, raw_size: int) -> dict[str, Any]:
    """Raise FcmError for what FCM refuses; return the message."""
    for v in fakes.contracts.fcm_send.violations(body):
        if v.validator == "additionalProperties":
            name = v.message.split("'")[1] if "'" in v.message else "?"
            where = f" at '{v.path}'" if v.path else ""
            raise _invalid(
                f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.',
                f"{v.path}.{name}" if v.path else name,
            )
        if v.path.startswith("message.data.") and v.validator == "type":
            key = v.path.split(".", 2)[2]
            raise _invalid(
                f"Invalid value at 'message.data[{key}].value' (TYPE_STRING)",
                f"message.data[{key}].value",
            )
        raise _invalid(f"Invalid value at '{v.path}': {v.message}", v.path or "message")
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise _invalid("Request contains an invalid argument.", "message")
    message = body["message"]
    targets = [t for t in TARGETS if message.get(t) not in (None, "")]
    if not targets:
        raise _invalid("Recipient of the message is not set.", "message")
    if len(targets) > 1:
        raise _invalid(
            f"Invalid value at 'message' (oneof), oneof field 'target' is already set. "
            f"Cannot set '{targets[1]}'",
            "message",
        )
    if "topic" in targets and message["topic"].startswith("/topics/"):
        raise _invalid("Invalid topic name: remove the /topics/ prefix", "message.topic")
    for key in message.get("data") or {}:
        if key in RESERVED_KEYS or key.startswith(RESERVED_PREFIXES):
            raise _invalid(f"Invalid data payload key: {key}", f"message.data[{key}]")
    limit = TOPIC_MAX_PAYLOAD if "topic" in targets else MAX_PAYLOAD
    if raw_size > limit + 512:  # the envelope around the payload is not counted by FCM
        raise _invalid("Message is too big", "message")
    return message


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else None


def app_build(fakes: Fakes) -> web.Application:
    async def token(request: web.Request) -> web.Response:
        form = parse_qs((await request.read()).decode("utf-8", "replace"))
        grant = form.get("grant_type", [""])[0]
        if grant != JWT_BEARER:
            return json_response(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
                400,
            )
        try:
            fakes.service_account.assertion_verify(form.get("assertion", [""])[0])
        except AssertionRejected as error:
            return json_response({"error": "invalid_grant", "error_description": str(error)}, 400)
        access = "ya29.fake-" + secrets.token_urlsafe(32)
        now = time.time()
        fakes.fcm_tokens = {t: e for t, e in fakes.fcm_tokens.items() if e > now}
        fakes.fcm_tokens[access] = now + 3599
        return json_response({"access_token": access, "expires_in": 3599, "token_type": "Bearer"})

    async def send(request: web.Request) -> web.StreamResponse:
        body: Any  # an error body we answer with, or the JSON we were sent (None if not JSON)
        behaviour = fakes.behaviours["fcm"]
        raw = await request.read()
        await behaviour.delay()
        access = _bearer(request)
        if not access or fakes.fcm_tokens.get(access, 0) < time.time():
            body = error_body(401, "UNAUTHENTICATED", UNAUTHENTICATED)
            return json_response(
                body, 401, {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
            )
        project = request.match_info["project"]
        if project != fakes.settings.fcm_project_id:
            body = error_body(
                403,
                "PERMISSION_DENIED",
                f"Permission 'cloudmessaging.messages.create' denied on resource "
                f"'//cloudresourcemanager.googleapis.com/projects/{project}' (or it may not exist).",
            )
            return json_response(body, 403)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        message = body.get("message") if isinstance(body, dict) else None
        target = message.get("token") or message.get("topic") if isinstance(message, dict) else None
        recipients = [target] if isinstance(target, str) else []
        drawn = behaviour.failure_draw()
        accepted_then_stalled = False
        if drawn:
            kind, failure = drawn
            if not (kind == "timeout" and failure.accept and body is not None):
                fakes.outbox.add(
                    "fcm", accepted=False, outcome=kind, recipients=recipients, request=body
                )
                return await failure_apply(request, kind, failure, _failure_response)
            accepted_then_stalled = True
        try:
            if body is None:
                raise _invalid("Invalid JSON payload received.", "")
            message = _check(fakes, body, len(raw))
            token_value = message.get("token")
            if token_value in behaviour.recipient_errors:
                code = behaviour.recipient_errors[token_value] or "UNREGISTERED"
                raise FcmError(str(code))
        except FcmError as error:
            fakes.outbox.add(
                "fcm",
                accepted=False,
                outcome="invalid",
                recipients=recipients,
                request=body,
                status=error.status,
                error=error.body()["error"],
            )
            return json_response(error.body(), error.status)
        validate_only = bool(body.get("validate_only") or body.get("validateOnly"))
        name = f"projects/{project}/messages/0:{int(time.time() * 1000)}%{secrets.token_hex(8)}"
        if validate_only:
            name = f"projects/{project}/messages/fake_message_id"
        fakes.outbox.add(
            "fcm",
            accepted=True,
            outcome="validate_only"
            if validate_only
            else ("timeout-accepted" if accepted_then_stalled else "accepted"),
            messages=0 if validate_only else 1,
            recipients=recipients,
            provider_id=name,
            request=body,
            status=200,
        )
        if accepted_then_stalled:
            assert drawn is not None  # it is the failure that accepted and then stalled
            return await failure_apply(request, "timeout", drawn[1], _failure_response)
        return json_response({"name": name})

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/token", token)
    app.router.add_post("/v1/projects/{project}/messages:send", send)
    return app
