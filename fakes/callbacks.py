"""Status callbacks the way the providers send them, from one scheduler.

Twilio: one form-encoded POST per status change to the message's ``StatusCallback``, signed
with ``X-Twilio-Signature`` (HMAC-SHA1 of URL + sorted params, base64, auth token as key).
SendGrid: Event Webhook batches (a JSON array, CRLF-terminated) signed with ECDSA P-256 over
``timestamp + body``, headers ``X-Twilio-Email-Event-Webhook-Signature``/``-Timestamp``.

Callbacks are kept in one heap (due time, item) drained by a single pump task, so a million
pending callbacks cost a million small tuples, not a million sleeping tasks.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import heapq
import hmac
import itertools
import json
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature for a form POST (the algorithm of twilio's RequestValidator)."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    mac = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


class EventWebhookSigner:
    """The SendGrid Signed Event Webhook key pair (ECDSA P-256)."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey | None = None) -> None:
        self.private_key = private_key or ec.generate_private_key(ec.SECP256R1())

    @classmethod
    def from_pem(cls, pem: bytes) -> EventWebhookSigner:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the SendGrid webhook key must be an EC private key")
        return cls(key)

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_key_b64(self) -> str:
        """What SendGrid shows as the verification key: base64 DER SubjectPublicKeyInfo."""
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")

    def sign(self, timestamp: str, body: bytes) -> str:
        signature = self.private_key.sign(
            timestamp.encode("utf-8") + body, ec.ECDSA(hashes.SHA256())
        )
        return base64.b64encode(signature).decode("ascii")


@dataclass(order=True)
class _Due:
    due: float
    seq: int
    kind: str  # "twilio" | "sendgrid"
    payload: Any


def url_rewrite(url: str, rewrite: dict[str, str] | None) -> str:
    """Where to POST a callback whose public URL is ``url`` (signed as is)."""
    if rewrite and rewrite.get("from") and url.startswith(rewrite["from"]):
        return rewrite.get("to", "") + url[len(rewrite["from"]) :]
    return url


class CallbackDispatcher:
    """Schedules and sends provider callbacks; keeps a log of every attempt."""

    def __init__(
        self,
        *,
        twilio_auth_token: str,
        signer: EventWebhookSigner,
        concurrency: int = 64,
        log_limit: int = 200_000,
        on_twilio_status: Any = None,
    ) -> None:
        self.twilio_auth_token = twilio_auth_token
        self.signer = signer
        self.concurrency = concurrency
        self.log: deque[dict[str, Any]] = deque(maxlen=log_limit)
        self.on_twilio_status = on_twilio_status
        self._heap: list[_Due] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._pump: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._semaphore = asyncio.Semaphore(concurrency)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=10),
            connector=aiohttp.TCPConnector(limit=self.concurrency),
        )
        self._pump = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._pump:
            self._pump.cancel()
        for task in list(self._inflight):
            task.cancel()
        if self._session:
            await self._session.close()

    @property
    def pending(self) -> int:
        return len(self._heap) + len(self._inflight)

    def clear(self) -> None:
        """Forget every pending callback, including those waiting for a connection or on
        the wire, so nothing from an earlier test reaches the app after a reset."""
        self._heap.clear()
        for task in list(self._inflight):
            task.cancel()
        self.log.clear()

    def schedule(self, delay_s: float, kind: str, payload: Any) -> None:
        heapq.heappush(self._heap, _Due(time.monotonic() + delay_s, next(self._seq), kind, payload))
        self._wake.set()

    async def _run(self) -> None:
        while True:
            if not self._heap:
                self._wake.clear()
                await self._wake.wait()
                continue
            wait = self._heap[0].due - time.monotonic()
            if wait > 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)
                except TimeoutError:
                    pass
                continue
            now = time.monotonic()
            sendgrid: dict[tuple[str, str], list[dict[str, Any]]] = {}
            batch_sizes: dict[tuple[str, str], int] = {}
            while self._heap and self._heap[0].due <= now:
                item = heapq.heappop(self._heap)
                if item.kind == "twilio":
                    self._spawn(self._send_twilio(item.payload))
                else:
                    key = (item.payload["url"], item.payload["sign_url"])
                    sendgrid.setdefault(key, []).append(item.payload["event"])
                    batch_sizes[key] = item.payload["batch_size"]
            for key, events in sendgrid.items():
                size = max(1, int(batch_sizes[key]))
                for start in range(0, len(events), size):
                    self._spawn(self._send_sendgrid(key[0], events[start : start + size]))
            # Let a burst of same-tick SendGrid events gather into one batch.
            await asyncio.sleep(0.01)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _post(self, provider: str, url: str, body: bytes, headers: dict[str, str], meta: Any):
        assert self._session is not None
        entry: dict[str, Any] = {"provider": provider, "url": url, "at": time.time(), **meta}
        async with self._semaphore:
            try:
                async with self._session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    entry["status"] = response.status
            except (aiohttp.ClientError, TimeoutError, OSError) as error:
                entry["status"] = None
                entry["error"] = f"{type(error).__name__}: {error}"
        self.log.append(entry)
        return entry

    async def _send_twilio(self, payload: dict[str, Any]) -> None:
        params: dict[str, str] = payload["params"]
        signature = twilio_signature(self.twilio_auth_token, payload["sign_url"], params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        if self.on_twilio_status:
            self.on_twilio_status(params["MessageSid"], params["MessageStatus"], params)
        await self._post(
            "twilio",
            payload["url"],
            urlencode(params).encode("ascii"),
            headers,
            {
                "sign_url": payload["sign_url"],
                "message_sid": params["MessageSid"],
                "message_status": params["MessageStatus"],
                "params": params,
            },
        )

    async def _send_sendgrid(self, url: str, events: list[dict[str, Any]]) -> None:
        body = json.dumps(events, separators=(",", ":")).encode("utf-8") + b"\r\n"
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": self.signer.sign(timestamp, body),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
            "User-Agent": "SendGrid Event API",
        }
        await self._post(
            "sendgrid",
            url,
            body,
            headers,
            {"events": len(events), "event_types": sorted({e["event"] for e in events})},
        )
