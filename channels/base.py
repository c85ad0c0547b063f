"""The one interface every channel adapter implements.

An adapter sends a batch of already-rendered messages with bounded concurrency over reused
connections, and returns exactly one `SendResult` per `Outgoing`, classified as:

- `ACCEPTED`: the provider took it (with the provider's message id);
- `REJECTED`: permanent (bad number, unregistered token, invalid address): never retried;
- `UNAVAILABLE`: the provider said no for now (5xx, 429, connection refused): safe to retry,
  since the provider did not take the message;
- `UNKNOWN`: the request may have reached the provider but no answer came back (read
  timeout, connection dropped mid-response). Retrying could send twice, so it is not retried:
  a status callback settles it where the channel has one, else an operator does.

An adapter whose provider can be asked afterwards (Twilio's Messages list) also implements
`reconcile`: for each `Unsettled` delivery, `TAKEN` (with the provider's id), `NOT_TAKEN`
(provably never taken: campaigns/reconcile.py sends it again) or `UNKNOWN` (ask later).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from django.utils.translation import gettext_lazy

from common.system_messages import system_messages_define

# What the system (not the provider) says on a delivery: `Delivery.error_message` holds the
# code, shown in the viewer's language (`Delivery.error_note`); any other text there is the
# provider's own, shown as such. `legacy`: the English texts stored before these codes.
system_messages_define(
    {
        "delivery.unverifiable_push": gettext_lazy(
            "FCM keeps no record of what it took: check with the creator before re-sending."
        ),
        "delivery.unverifiable_inbox": gettext_lazy(
            "Written to the in-app inbox: check the creator's inbox."
        ),
        "delivery.unverifiable_smtp": gettext_lazy(
            "Sent through SMTP, which reports nothing afterwards: check before re-sending."
        ),
        "delivery.no_push_device": gettext_lazy("The creator has no push device."),
        "delivery.worker_lost": gettext_lazy(
            "The worker stopped while sending; the provider may or may not have it."
        ),
        "delivery.provider_failed": gettext_lazy("Reported failed by the provider."),
    },
    legacy={
        "FCM keeps no record of what it took: check with the creator before re-sending.": (
            "delivery.unverifiable_push"
        ),
        "Written to the in-app inbox: check the creator's inbox.": "delivery.unverifiable_inbox",
        "Sent through SMTP, which reports nothing afterwards: check before re-sending.": (
            "delivery.unverifiable_smtp"
        ),
        "No push device.": "delivery.no_push_device",
        "The worker stopped while sending; the provider may or may not have it.": (
            "delivery.worker_lost"
        ),
        "Reported failed by the provider.": "delivery.provider_failed",
    },
)


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One rendered message on its way to one creator."""

    delivery_id: int
    creator_id: int
    campaign_id: int
    locale: str
    content: dict[str, Any]
    email: str = ""
    phone: str = ""
    name: str = ""
    device_tokens: tuple[str, ...] = ()
    # Links the adapter may need to put in headers or provider parameters.
    status_callback_url: str = ""
    unsubscribe_url: str = ""
    unsubscribe_post_url: str = ""
    categories: tuple[str, ...] = ()


@dataclass(slots=True)
class SendResult:
    delivery_id: int
    outcome: Outcome
    provider_message_id: str = ""
    error_code: str = ""
    error_message: str = ""
    retry_after: float | None = None
    # Push tokens the provider says are gone; the dispatcher removes them.
    dead_device_tokens: list[str] = field(default_factory=list)

    @classmethod
    def accepted(cls, outgoing: Outgoing, provider_message_id: str) -> SendResult:
        return cls(outgoing.delivery_id, Outcome.ACCEPTED, provider_message_id=provider_message_id)


@dataclass(frozen=True, slots=True)
class Unsettled:
    """A delivery left `unknown` (it may or may not have reached the provider), to look up:
    the request went out between `since` (marked `sending`) and `until` (marked `unknown`)."""

    delivery_id: int
    phone: str = ""
    email: str = ""
    since: datetime | None = None
    until: datetime | None = None


class Verdict(enum.StrEnum):
    TAKEN = "taken"  # the provider has it: settle it from what it says
    NOT_TAKEN = "not_taken"  # provably never taken: safe to send again
    UNKNOWN = "unknown"  # the provider could not be asked (or cannot tell): ask again later


@dataclass(slots=True)
class Reconciled:
    delivery_id: int
    verdict: Verdict
    provider_message_id: str = ""
    failed: bool = False
    error_code: str = ""


class Reconciliation(enum.StrEnum):
    """How campaigns/reconcile.py settles a channel's `unknown` deliveries."""

    LOOKUP = "lookup"  # the adapter asks its provider (`ReconcilingAdapter.reconcile`)
    EVENTS = "events"  # the provider posts an event for every message it takes: none, not taken
    NONE = "none"  # nothing to ask: the delivery is marked unverifiable for a person


class ChannelAdapter(Protocol):
    """A channel's adapter. Besides sending, it declares what dispatch has to prepare for it,
    so no caller switches on channel names."""

    code: ClassVar[str]  # the channel (creators.models.Channel)
    provider: ClassVar[str]  # whose rate limit its sends count against (PROVIDER_RATE_LIMITS)
    address_field: ClassVar[str]  # the creator's field that addresses it ("" for none)
    needs_device_tokens: ClassVar[bool]  # fill `Outgoing.device_tokens` from creators' devices
    needs_unsubscribe_links: ClassVar[bool]  # sign `Outgoing.unsubscribe_url`/`_post_url`
    reconciled_by: ClassVar[Reconciliation]  # how an `unknown` delivery is settled later
    # The code of the system message (DELIVERY_MESSAGES) kept on an `unknown` delivery when
    # nothing can tell; "" when the provider can be asked.
    unverifiable_reason: ClassVar[str]

    async def send_batch(self, outgoing: Sequence[Outgoing]) -> list[SendResult]: ...

    async def close(self) -> None: ...


class ReconcilingAdapter(ChannelAdapter, Protocol):
    """An adapter whose provider can say, afterwards, whether it took a message."""

    async def reconcile(
        self, unsettled: Sequence[Unsettled], *, known_ids: frozenset[str]
    ) -> list[Reconciled]: ...


def error_text(body: object, limit: int = 500) -> str:
    """A provider's error body, trimmed for storing and logging."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return text[:limit]


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a Retry-After header given in seconds (the form the providers use)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
