"""SMTP sink (aiosmtpd): keeps every message; the same failure switches as the HTTP fakes."""

from __future__ import annotations

import asyncio
import email
import email.policy
import uuid
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from fakes.core import Fakes

KEPT_HEADERS = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Message-ID",
    "Date",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Reply-To",
)


def _parts(message: email.message.EmailMessage) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in {"text/plain", "text/html"} and kind not in found:
            try:
                found[kind] = part.get_content()
            except (LookupError, UnicodeDecodeError):
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)  # a text part is not multipart
                found[kind] = payload.decode("utf-8", "replace")
    return found


class SinkHandler:
    def __init__(self, fakes: Fakes) -> None:
        self.fakes = fakes

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options
    ) -> str:
        behaviour = self.fakes.behaviours["smtp"]
        if address in behaviour.recipient_errors:
            reason = behaviour.recipient_errors[address]
            return (
                reason
                if isinstance(reason, str)
                else f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
            )
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        behaviour = self.fakes.behaviours["smtp"]
        await behaviour.delay()
        drawn = behaviour.failure_draw()
        recipients = list(envelope.rcpt_tos)
        if drawn:
            kind, failure = drawn
            self.fakes.outbox.add("smtp", accepted=False, outcome=kind, recipients=recipients)
            if kind == "timeout":
                await asyncio.sleep(failure.hold_s)
                return "451 4.4.2 Timeout"
            if kind == "429":
                return "421 4.7.0 Too many messages, slow down"
            if kind == "disconnect":
                if isinstance(server.transport, asyncio.Transport):
                    server.transport.abort()
                return "421 4.4.2 Connection dropped"
            return "451 4.3.0 Temporary server error, try again later"
        raw: bytes = (
            envelope.content
            if isinstance(envelope.content, bytes)
            else str(envelope.content).encode()
        )
        message = email.message_from_bytes(raw, policy=email.policy.default)
        queue_id = uuid.uuid4().hex[:12].upper()
        parts = _parts(message)  # type: ignore[arg-type]
        request: dict[str, Any] = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": recipients,
            "headers": {h: str(message[h]) for h in KEPT_HEADERS if message[h] is not None},
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
            "size": len(raw),
        }
        self.fakes.outbox.add(
            "smtp",
            accepted=True,
            outcome="accepted",
            messages=1,
            recipients=recipients,
            provider_id=queue_id,
            request=request,
        )
        return f"250 2.0.0 Ok: queued as {queue_id}"


async def server_start(fakes: Fakes, host: str, port: int) -> asyncio.AbstractServer:
    handler = SinkHandler(fakes)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, hostname="fake-smtp.altavoz.local", data_size_limit=40 * 1024 * 1024),
        host,
        port,
    )
