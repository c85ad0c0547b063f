"""The shared state of one fake-providers process: settings, contracts, behaviours, outbox."""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from fakes.callbacks import CallbackDispatcher, EventWebhookSigner
from fakes.contracts import Contracts
from fakes.fcm_auth import ServiceAccount
from fakes.state import PROVIDERS, Behaviour, Failure, Outbox

DEFAULT_TWILIO_ACCOUNT_SID = "AC" + "fa4e" + "0" * 28
DEFAULT_TWILIO_AUTH_TOKEN = "fake-twilio-auth-token"
DEFAULT_SENDGRID_API_KEY = "SG.fake-altavoz.key"
DEFAULT_FCM_PROJECT_ID = "altavoz-fake"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    twilio_account_sid: str = DEFAULT_TWILIO_ACCOUNT_SID
    twilio_auth_token: str = DEFAULT_TWILIO_AUTH_TOKEN
    sendgrid_api_key: str = DEFAULT_SENDGRID_API_KEY
    fcm_project_id: str = DEFAULT_FCM_PROJECT_ID
    sendgrid_webhook_url: str | None = None
    # The app's incoming-message webhook URL the inbound simulator posts to by default.
    twilio_inbound_url: str | None = None
    outbox_limit: int = 1_000_000
    state_dir: Path | None = None
    latency_ms: float = 0.0
    seed: int | None = None
    # filled in once the sockets are bound
    urls: dict[str, str] = field(default_factory=dict)


class Fakes:
    """Everything the provider handlers and the control API share."""

    def __init__(
        self,
        settings: Settings,
        contracts: Contracts,
        *,
        signer: EventWebhookSigner,
        service_account: ServiceAccount,
    ) -> None:
        self.settings = settings
        self.contracts = contracts
        self.signer = signer
        self.service_account = service_account
        self.outbox = Outbox(settings.outbox_limit)
        self.behaviours: dict[str, Behaviour] = {}
        self.behaviour_reset()
        self.twilio_messages: OrderedDict[str, dict[str, Any]] = OrderedDict()
        # The inbound simulator's webhooks, and when each WhatsApp address last wrote.
        self.inbound_log: deque[dict[str, Any]] = deque(maxlen=10_000)
        self.whatsapp_last_inbound: dict[str, float] = {}
        self.fcm_tokens: dict[str, float] = {}  # access token -> expiry (time.time())
        self.callbacks = CallbackDispatcher(
            twilio_auth_token=settings.twilio_auth_token,
            signer=signer,
            on_twilio_status=self._twilio_status_seen,
        )
        self.started_at = time.time()

    def behaviour_reset(self, provider: str | None = None) -> None:
        for name in [provider] if provider else PROVIDERS:
            behaviour = Behaviour(name, latency_ms=self.settings.latency_ms)
            if self.settings.seed is not None:
                behaviour.update({"seed": self.settings.seed})
            if name == "sendgrid" and self.settings.sendgrid_webhook_url:
                behaviour.callbacks["url"] = self.settings.sendgrid_webhook_url
            self.behaviours[name] = behaviour

    def reset(self) -> None:
        self.behaviour_reset()
        self.outbox.reset()
        self.callbacks.clear()
        self.twilio_messages.clear()
        self.inbound_log.clear()
        self.whatsapp_last_inbound.clear()

    def inbound_record(self, entry: dict[str, Any]) -> None:
        self.inbound_log.append(entry)
        if entry.get("status") and entry["status"] < 300:
            self.whatsapp_last_inbound[whatsapp_address_key(entry["params"]["From"])] = entry["at"]

    def whatsapp_window_open(self, address: str) -> bool:
        """Whether `address` wrote (through the inbound simulator) in the last 24 hours."""
        last = self.whatsapp_last_inbound.get(whatsapp_address_key(address))
        return last is not None and time.time() - last < 24 * 3600

    def twilio_message_store(self, sid: str, resource: dict[str, Any]) -> None:
        self.twilio_messages[sid] = resource
        while len(self.twilio_messages) > self.settings.outbox_limit:
            self.twilio_messages.popitem(last=False)

    def _twilio_status_seen(self, sid: str, status: str, params: dict[str, str]) -> None:
        resource = self.twilio_messages.get(sid)
        if resource is not None:
            resource["status"] = status
            if "ErrorCode" in params:
                resource["error_code"] = int(params["ErrorCode"])

    def config(self) -> dict[str, Any]:
        """What a client needs to talk to these fakes (credentials are fake, loopback only)."""
        s = self.settings
        return {
            "urls": s.urls,
            "contracts_dir": str(self.contracts.directory) if self.contracts.enabled else None,
            "twilio": {"account_sid": s.twilio_account_sid, "auth_token": s.twilio_auth_token},
            "sendgrid": {
                "api_key": s.sendgrid_api_key,
                "webhook_public_key": self.signer.public_key_b64,
            },
            "fcm": {
                "project_id": s.fcm_project_id,
                "token_uri": self.service_account.token_uri,
                "service_account": self.service_account.info(),
            },
            "smtp": {"host": s.host, "port": int(s.urls["smtp"].rsplit(":", 1)[1])}
            if "smtp" in s.urls
            else None,
        }


def whatsapp_address_key(address: str) -> str:
    """One key for a WhatsApp address: Mexican mobiles are written `+521…` by WhatsApp and
    `+52…` by most senders."""
    number = address.removeprefix("whatsapp:")
    if number.startswith("+521") and len(number) == 14:
        number = "+52" + number[4:]
    return number


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None):
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode("utf-8"),
        status=status,
        headers=headers,
        content_type="application/json",
    )


async def failure_apply(
    request: web.Request,
    kind: str,
    failure: Failure,
    respond: Any,
) -> web.StreamResponse:
    """Answer a request the failure switch picked: ``respond(kind, failure)`` builds the body."""
    if kind == "timeout":
        await asyncio.sleep(failure.hold_s)
        return respond("5xx", failure, status=504)
    if kind == "disconnect":
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # nothing can be written to an aborted connection
    return respond(kind, failure)
