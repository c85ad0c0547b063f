"""What the fakes remember and how they are told to behave: behaviour switches and the outbox."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

PROVIDERS = ("twilio", "sendgrid", "fcm", "smtp")
FAILURE_MODES = ("5xx", "429", "timeout", "disconnect", "mixed")
_MIXED = ("5xx", "429", "timeout")


class BehaviourError(ValueError):
    """A control request asked for a behaviour that does not exist."""


@dataclass
class Failure:
    """A failure switch: ``mode`` on a ``rate`` of requests, for a time or a count."""

    mode: str
    rate: float = 1.0
    until: float | None = None  # time.monotonic() deadline; None = until cleared
    remaining: int | None = None  # fail this many more requests; None = unlimited
    status: int | None = None  # 5xx mode: HTTP status (default per provider)
    retry_after: float = 1.0  # 429 (and 503) Retry-After seconds
    hold_s: float = 30.0  # timeout mode: how long the connection is held
    accept: bool = False  # timeout mode: the provider accepted it before stalling
    seed: int | None = None
    mixed: tuple[str, ...] = _MIXED  # mixed mode: the failures drawn from
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Failure:
        mode = str(data.get("mode", "5xx"))
        if mode not in FAILURE_MODES:
            raise BehaviourError(f"failure.mode must be one of {FAILURE_MODES}, not {mode!r}")
        rate = float(data.get("rate", 1.0))
        if not 0.0 <= rate <= 1.0:
            raise BehaviourError("failure.rate must be within [0, 1]")
        duration = data.get("duration_s")
        count = data.get("count")
        seed = data.get("seed")
        mixed = tuple(data.get("mixed") or _MIXED)
        if not set(mixed) <= set(_MIXED):
            raise BehaviourError(f"failure.mixed must be a subset of {_MIXED}, not {mixed!r}")
        return cls(
            mixed=mixed,
            mode=mode,
            rate=rate,
            until=time.monotonic() + float(duration) if duration is not None else None,
            remaining=int(count) if count is not None else None,
            status=int(data["status"]) if data.get("status") is not None else None,
            retry_after=float(data.get("retry_after", 1.0)),
            hold_s=float(data.get("hold_s", 30.0)),
            accept=bool(data.get("accept", False)),
            seed=seed,
            rng=random.Random(seed),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "rate": self.rate,
            "remaining_s": round(self.until - time.monotonic(), 3) if self.until else None,
            "remaining": self.remaining,
            "status": self.status,
            "retry_after": self.retry_after,
            "hold_s": self.hold_s,
            "accept": self.accept,
            "mixed": list(self.mixed),
            "seed": self.seed,
        }

    def expired(self) -> bool:
        if self.until is not None and time.monotonic() >= self.until:
            return True
        return self.remaining is not None and self.remaining <= 0

    def draw(self) -> str | None:
        """The failure to apply to this request, or None to let it through."""
        if self.rate < 1.0 and self.rng.random() >= self.rate:
            return None
        if self.remaining is not None:
            self.remaining -= 1
        if self.mode == "mixed":
            return self.rng.choice(self.mixed)
        return self.mode


def _default_callbacks(provider: str) -> dict[str, Any]:
    if provider == "twilio":
        return {
            "enabled": True,
            "statuses": ["queued", "sent", "delivered", "read"],
            "delay_ms": 100,
            "shuffle": False,
            "duplicate_rate": 0.0,
            "rewrite": None,  # {"from": "https://public.example", "to": "http://127.0.0.1:8000"}
        }
    if provider == "sendgrid":
        return {
            "enabled": True,
            "url": None,
            "events": ["processed", "delivered", "open", "click"],
            "delay_ms": 100,
            "batch_size": 500,
            "machine_open_rate": 0.0,
            "duplicate_rate": 0.0,
            "shuffle": False,
            "rewrite": None,
        }
    return {}


@dataclass
class Behaviour:
    """How one provider answers: latency, a failure switch, bad recipients, callbacks."""

    provider: str
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    failure: Failure | None = None
    # recipient -> provider error (a code such as 21211, "UNREGISTERED", or {} for the default)
    recipient_errors: dict[str, Any] = field(default_factory=dict)
    # accepted, but the callbacks report a failure: recipient -> code (Twilio ErrorCode /
    # SendGrid bounce|dropped)
    undeliverable: dict[str, Any] = field(default_factory=dict)
    callbacks: dict[str, Any] = field(default_factory=dict)
    # Twilio: free-form WhatsApp sends to a number that has not written (through the inbound
    # simulator) in 24 hours fail with 63016, as Twilio's do; templates always go.
    whatsapp_window: bool = False
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if not self.callbacks:
            self.callbacks = _default_callbacks(self.provider)

    def update(self, data: dict[str, Any]) -> None:
        known = {
            "latency_ms",
            "jitter_ms",
            "failure",
            "recipient_errors",
            "undeliverable",
            "callbacks",
            "seed",
            "whatsapp_window",
        }
        unknown = set(data) - known - {"provider"}
        if unknown:
            raise BehaviourError(f"unknown behaviour keys: {sorted(unknown)}")
        if "latency_ms" in data:
            self.latency_ms = max(0.0, float(data["latency_ms"]))
        if "jitter_ms" in data:
            self.jitter_ms = max(0.0, float(data["jitter_ms"]))
        if "seed" in data:
            self.rng = random.Random(data["seed"])
        if "failure" in data:
            self.failure = Failure.from_json(data["failure"]) if data["failure"] else None
        for name in ("recipient_errors", "undeliverable"):
            if name in data:
                value = data[name] or {}
                if isinstance(value, list):
                    value = {recipient: None for recipient in value}
                if not isinstance(value, dict):
                    raise BehaviourError(f"{name} must be a list of recipients or an object")
                setattr(self, name, dict(value))
        if "whatsapp_window" in data:
            self.whatsapp_window = bool(data["whatsapp_window"])
        if "callbacks" in data:
            if not isinstance(data["callbacks"], dict):
                raise BehaviourError("callbacks must be an object")
            defaults = _default_callbacks(self.provider)
            unknown_cb = set(data["callbacks"]) - set(defaults)
            if unknown_cb:
                raise BehaviourError(f"unknown callbacks keys: {sorted(unknown_cb)}")
            self.callbacks.update(data["callbacks"])

    def to_json(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "jitter_ms": self.jitter_ms,
            "failure": self.failure.to_json() if self.failure else None,
            "recipient_errors": self.recipient_errors,
            "undeliverable": self.undeliverable,
            "callbacks": self.callbacks,
            "whatsapp_window": self.whatsapp_window,
        }

    async def delay(self) -> None:
        if self.latency_ms or self.jitter_ms:
            jitter = self.rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0
            await asyncio.sleep(max(0.0, self.latency_ms + jitter) / 1000.0)

    def failure_draw(self) -> tuple[str, Failure] | None:
        failure = self.failure
        if failure is None:
            return None
        if failure.expired():
            self.failure = None
            return None
        kind = failure.draw()
        return (kind, failure) if kind else None


class Outbox:
    """Every request the fakes received (accepted or not), newest last, bounded."""

    def __init__(self, limit: int = 1_000_000) -> None:
        self.records: deque[dict[str, Any]] = deque(maxlen=limit)
        self.stats: dict[str, Counter[str]] = {p: Counter() for p in PROVIDERS}
        self._ids = itertools.count(1)

    def add(self, provider: str, **record: Any) -> dict[str, Any]:
        record = {"id": next(self._ids), "provider": provider, "at": time.time(), **record}
        self.records.append(record)
        stats = self.stats[provider]
        stats["requests"] += 1
        stats["accepted" if record.get("accepted") else "rejected"] += 1
        stats["messages"] += record.get("messages", 0) if record.get("accepted") else 0
        if record.get("outcome"):
            stats[f"outcome:{record['outcome']}"] += 1
        return record

    def query(
        self,
        *,
        provider: str | None = None,
        recipient: str | None = None,
        accepted: bool | None = None,
        outcome: str | None = None,
        after: int | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[dict[str, Any]]:
        rows = reversed(self.records) if newest_first else iter(self.records)
        found = []
        for row in rows:
            if provider and row["provider"] != provider:
                continue
            if after is not None and row["id"] <= after:
                continue
            if accepted is not None and bool(row.get("accepted")) != accepted:
                continue
            if outcome and row.get("outcome") != outcome:
                continue
            if recipient and recipient not in row.get("recipients", ()):
                continue
            found.append(row)
            if limit and len(found) >= limit:
                break
        return found

    def reset(self) -> None:
        self.records.clear()
        for counter in self.stats.values():
            counter.clear()
