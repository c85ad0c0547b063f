"""Services that record what providers and creators tell us about deliveries.

`event_record` is the one write path for tracking: it locks the delivery row, inserts the
event with `INSERT … ON CONFLICT DO NOTHING` on its per-delivery dedupe key (so a retried
webhook, or the same open from the pixel and SendGrid, is stored once), moves the delivery's
`first_*` timestamps when this event is earlier than what was known (events arrive out of
order), and applies the matching deltas to the rollups with one upsert. `rollup_recount`
rebuilds the same rollups from the raw events; tests prove the two agree.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, TypedDict

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from psycopg.errors import DeadlockDetected

from campaigns.models import Campaign, Delivery
from creators.models import ConsentStatus, Creator, Suppression
from creators.services import creator_consent_set
from tracking.counts import delivery_counts_snapshot_drop
from tracking.models import Event, FailureRollup, LinkRollup, Rollup, WebhookBatch
from tracking.tokens import TokenRefused

logger = logging.getLogger(__name__)

Kind = Event.Kind

# Twilio MessageStatus values that mean the provider has the message.
TWILIO_ACCEPTED = {
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "delivered",
    "read",
    "partially_delivered",
}
TWILIO_FAILED = {"failed", "undelivered", "canceled"}
# SendGrid events that show whether SendGrid took a message (a later bounce is a delivery
# outcome, not a send failure).
SENDGRID_ACCEPTED = {"processed", "delivered", "deferred", "open", "click", "bounce"}
SENDGRID_FAILED = {"dropped"}

# Dedupe keys that make an event kind happen at most once per delivery.
KEY_SENT, KEY_DELIVERED, KEY_READ = "sent", "delivered", "read"
KEY_FAIL, KEY_COMPLAINT, KEY_UNSUBSCRIBE = "fail", "complaint", "unsubscribe"
KEY_PUSH_OPEN, KEY_INBOX_READ = "push-open", "inbox-read"

# Link scanners, prefetchers and HTTP libraries: their clicks and opens are not a person's.
AUTOMATED_AGENTS = re.compile(
    r"bot\b|crawler|spider|slurp|scanner|preview|prefetch|barracuda|proofpoint|mimecast|"
    r"safelinks|urldefense|symantec|trendmicro|forcepoint|sophos|fortiguard|checkpoint|"
    r"python-requests|python-urllib|aiohttp|httpx|curl/|wget/|go-http-client|java/|okhttp|"
    r"libwww|headlesschrome|phantomjs|facebookexternalhit|whatsapp/|slackbot|googleimageproxy-prefetch",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def agent_automated(user_agent: str) -> bool:
    """Whether the agent is a scanner's or a library's. Agents repeat (a few hundred
    browsers), and the pattern costs tens of microseconds: each process keeps its answers."""
    return AUTOMATED_AGENTS.search(user_agent) is not None


# Apple Mail Privacy Protection fetches images through proxies that send a bare agent.
BARE_AGENTS = {"", "mozilla/5.0"}


def ip_hash(ip: str) -> str:
    """An HMAC of the address with SECRET_KEY: counts repeat visitors, never stores the IP."""
    if not ip:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def open_automated_reason(*, method: str, user_agent: str) -> str:
    """Why a pixel fetch looks like a machine (prefetch, proxy, scanner), else ""."""
    if method == "HEAD":
        return "head"
    if user_agent.strip().lower() in BARE_AGENTS:
        return "prefetch"
    if agent_automated(user_agent):
        return "agent"
    return ""


def click_automated_reason(
    *, method: str, user_agent: str, channel: str, sent_at: datetime | None, occurred_at: datetime
) -> str:
    """Why a click looks like a link scanner's, else "" (bursts are found in `event_record`)."""
    if method == "HEAD":
        return "head"
    if agent_automated(user_agent):
        return "agent"
    if (
        channel in ("email", "whatsapp")
        and sent_at is not None
        and timedelta(0)
        <= occurred_at - sent_at
        < timedelta(seconds=settings.TRACKING_BOT_CLICK_SECONDS)
    ):
        return "too_soon"
    return ""


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _minute_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M")


def open_dedupe_key(*, occurred_at: datetime, automated: bool) -> str:
    """Our pixel and SendGrid's see the same open: same delivery, same minute, one event."""
    return f"open:{'m' if automated else 'h'}:{_minute_key(occurred_at)}"


def click_dedupe_key(*, link_id: int, occurred_at: datetime, automated: bool) -> str:
    return f"click:{link_id}:{'b' if automated else 'h'}:{_minute_key(occurred_at)}"


@dataclass(frozen=True)
class Recorded:
    event_id: int
    automated: bool


# Which first_* column an event kind can set.
FIRST_FIELDS = {
    "first_delivered_at": ("delivered", {Kind.DELIVERED, Kind.READ}),
    "first_opened_at": ("opened", {Kind.OPENED, Kind.READ}),
    "first_clicked_at": ("clicked", {Kind.CLICKED}),
}


class _Deltas:
    """Rollup increments gathered while recording, written by one upsert."""

    def __init__(self, campaign_id: int, channel: str, locale: str, variant: str) -> None:
        self.key = (campaign_id, channel, locale, variant)
        self.by_hour: dict[datetime, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.links: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.failure_code: str | None = None

    def add(self, moment: datetime, column: str, delta: int = 1) -> None:
        self.by_hour[_hour(moment)][column] += delta

    def write(self, cursor) -> None:
        sink = _DeltaSink()
        sink.merge(self)
        sink.write(cursor)


ROLLUP_COLUMNS = [
    "delivered",
    "opened",
    "clicked",
    "opens_total",
    "clicks_total",
    "machine_opens",
    "bot_clicks",
    "bounced",
    "complained",
    "unsubscribed",
]


# A Rollup row: campaign_id, channel, locale, variant, hour.
_RollupKey = tuple[int, str, str, str, datetime]


class _DeltaSink:
    """Rollup increments of one event or of many (a webhook batch), written by one upsert per
    table. A batch writes once at its end: thousands of upserts of the same few rollup rows
    in one transaction would each walk the row's growing chain of versions."""

    def __init__(self) -> None:
        self.rollups: dict[_RollupKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.failures: dict[tuple[int, str, str], int] = defaultdict(int)
        self.links: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def merge(self, deltas: _Deltas) -> None:
        for hour, counts in deltas.by_hour.items():
            row = self.rollups[(*deltas.key, hour)]
            for column, delta in counts.items():
                row[column] += delta
        if deltas.failure_code is not None:
            self.failures[(deltas.key[0], deltas.key[1], deltas.failure_code)] += 1
        for link_id, counts in deltas.links.items():
            row = self.links[(deltas.key[0], link_id)]
            for column, delta in counts.items():
                row[column] += delta

    def write(self, cursor, chunk: int = 500) -> None:
        # Sorted, so two batches touching the same rows lock them in the same order.
        rollups = sorted((key, c) for key, c in self.rollups.items() if any(c.values()))
        table = Rollup._meta.db_table
        updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in ROLLUP_COLUMNS)
        for start in range(0, len(rollups), chunk):
            rows = rollups[start : start + chunk]
            values = ", ".join(
                ["(" + ", ".join(["%s"] * (5 + len(ROLLUP_COLUMNS))) + ")"] * len(rows)
            )
            params = [
                value
                for key, counts in rows
                for value in (*key, *(counts.get(column, 0) for column in ROLLUP_COLUMNS))
            ]
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, channel, locale, variant, hour, "
                f"{', '.join(ROLLUP_COLUMNS)}) VALUES {values} "
                f"ON CONFLICT (campaign_id, channel, locale, variant, hour) DO UPDATE SET {updates}",
                params,
            )
        failures = sorted((key, n) for key, n in self.failures.items() if n)
        table = FailureRollup._meta.db_table
        for start in range(0, len(failures), chunk):
            failure_rows = failures[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, channel, error_code, count) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(failure_rows))
                + " ON CONFLICT (campaign_id, channel, error_code) DO UPDATE SET "
                f"count = {table}.count + EXCLUDED.count",
                [value for key, n in failure_rows for value in (*key, n)],
            )
        links = sorted((key, c) for key, c in self.links.items() if any(c.values()))
        table = LinkRollup._meta.db_table
        for start in range(0, len(links), chunk):
            link_rows = links[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, link_id, clicks, bot_clicks) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(link_rows))
                + " ON CONFLICT (campaign_id, link_id) DO UPDATE SET "
                f"clicks = {table}.clicks + EXCLUDED.clicks, "
                f"bot_clicks = {table}.bot_clicks + EXCLUDED.bot_clicks",
                [
                    value
                    for key, counts in link_rows
                    for value in (*key, counts.get("clicks", 0), counts.get("bot_clicks", 0))
                ],
            )


# Set while a webhook batch is applied: event_record adds its deltas here instead of writing.
_batch_sink: ContextVar[_DeltaSink | None] = ContextVar("tracking_batch_sink", default=None)


@contextmanager
def events_batched() -> Iterator[None]:
    """Inside a caller's transaction: the events recorded in this block write their rollup
    increments once, at its end (on success), instead of one upsert each."""
    if not connection.in_atomic_block:
        raise RuntimeError(
            "events_batched() needs a transaction: its rollups are written at the end"
        )
    sink = _DeltaSink()
    token = _batch_sink.set(sink)
    try:
        yield
    finally:
        _batch_sink.reset(token)
    with connection.cursor() as cursor:
        sink.write(cursor)


def _count_event(
    deltas: _Deltas,
    *,
    kind: str,
    automated: bool,
    moment: datetime,
    link_id: int | None,
    delivery_status: str,
    error_code: str,
) -> None:
    """The non-unique rollup columns one stored event adds to."""
    if kind in (Kind.OPENED, Kind.READ):
        deltas.add(moment, "machine_opens" if automated else "opens_total")
    elif kind == Kind.CLICKED:
        deltas.add(moment, "bot_clicks" if automated else "clicks_total")
        if link_id is not None:
            deltas.links[link_id]["bot_clicks" if automated else "clicks"] += 1
    elif kind in (Kind.BOUNCED, Kind.FAILED) and delivery_status != Delivery.Status.FAILED:
        # One failure per delivery (KEY_FAIL); a delivery the provider refused outright is
        # already counted as `failed` from its status, so it is not a bounce as well.
        deltas.add(moment, "bounced")
        deltas.failure_code = error_code[:64]
    elif kind == Kind.COMPLAINED:
        deltas.add(moment, "complained")
    elif kind == Kind.UNSUBSCRIBED:
        deltas.add(moment, "unsubscribed")


_DELIVERY_COLUMNS = (
    "campaign_id, channel, locale, status, sent_at, first_delivered_at, first_opened_at, "
    "first_clicked_at"
)


def event_record(
    *,
    delivery_id: int,
    kind: str,
    source: str,
    occurred_at: datetime | None = None,
    automated_reason: str = "",
    user_agent: str = "",
    ip: str = "",
    link_id: int | None = None,
    provider_event_id: str = "",
    dedupe_key: str | None = None,
    error_code: str = "",
    detect_burst: bool = False,
    classify: Callable[[datetime | None, str], str] | None = None,
) -> Recorded | None:
    """Store one event and update the delivery's first_* and the rollups, atomically.

    Returns None when the delivery does not exist or the event was already stored (same
    dedupe key): a replay changes nothing. `classify(sent_at, channel)` may return a reason
    to flag the event automated from the delivery's facts (read under the same lock)."""
    occurred_at = occurred_at or timezone.now()
    delivery_table = Delivery._meta.db_table
    event_table = Event._meta.db_table
    # No savepoint inside a caller's transaction: a webhook batch records thousands of events
    # in one transaction, and thousands of subtransactions slow every PostgreSQL session.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM {delivery_table} WHERE id = %s FOR NO KEY UPDATE",
            [delivery_id],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        campaign_id: int
        channel: str
        locale: str
        status: str
        sent_at: datetime | None
        firsts: list[datetime | None]
        campaign_id, channel, locale, status, sent_at, *firsts = row
        if classify is not None and not automated_reason:
            automated_reason = classify(sent_at, channel)
        current = dict(zip(FIRST_FIELDS, firsts, strict=True))
        deltas = _Deltas(campaign_id, channel, locale, "")
        burst: list[tuple[int, datetime, int | None]] = []
        if kind == Kind.CLICKED and detect_burst and not automated_reason:
            burst = _burst_find(cursor, delivery_id=delivery_id, link_id=link_id, at=occurred_at)
            if burst:
                automated_reason = "burst"
        automated = bool(automated_reason)
        if kind == Kind.OPENED and dedupe_key is None:
            dedupe_key = open_dedupe_key(occurred_at=occurred_at, automated=automated)
        elif kind == Kind.CLICKED and dedupe_key is None and link_id is not None:
            dedupe_key = click_dedupe_key(
                link_id=link_id, occurred_at=occurred_at, automated=automated
            )
        cursor.execute(
            f"INSERT INTO {event_table} (delivery_id, campaign_id, channel, locale, variant, kind, "
            "source, occurred_at, recorded_at, automated, automated_reason, user_agent, ip_hash, "
            "link_id, provider_event_id, dedupe_key, error_code) VALUES "
            "(%s, %s, %s, %s, '', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING id",
            [
                delivery_id,
                campaign_id,
                channel,
                locale,
                kind,
                source,
                occurred_at,
                timezone.now(),
                automated,
                automated_reason[:16],
                user_agent[:300],
                ip_hash(ip),
                link_id,
                provider_event_id[:128],
                dedupe_key,
                error_code[:64],
            ],
        )
        inserted = cursor.fetchone()
        if inserted is None:
            return None
        _count_event(
            deltas,
            kind=kind,
            automated=automated,
            moment=occurred_at,
            link_id=link_id,
            delivery_status=status,
            error_code=error_code,
        )
        changed: dict[str, datetime | None] = {}
        for field, (column, kinds) in FIRST_FIELDS.items():
            if kind in kinds and not automated:
                old = current[field]
                if old is None or occurred_at < old:
                    changed[field] = occurred_at
                    deltas.add(occurred_at, column)
                    if old is not None:
                        deltas.add(old, column, -1)
        if burst:
            changed.update(_burst_reclassify(cursor, delivery_id, burst, current, deltas))
        if changed:
            assignments = ", ".join(f"{field} = %s" for field in changed)
            cursor.execute(
                f"UPDATE {delivery_table} SET {assignments} WHERE id = %s",
                [*changed.values(), delivery_id],
            )
        sink = _batch_sink.get()
        if sink is None:
            deltas.write(cursor)
        else:
            sink.merge(deltas)
        return Recorded(inserted[0], automated)


def _burst_find(
    cursor, *, delivery_id: int, link_id: int | None, at: datetime
) -> list[tuple[int, datetime, int | None]]:
    """Clicks of this delivery on *other* links within the burst window of `at`: a scanner
    opening every link at once. Returns the human-flagged ones among them (to reclassify),
    or [] when there is no burst."""
    window = timedelta(seconds=settings.TRACKING_BURST_SECONDS)
    cursor.execute(
        f"SELECT id, occurred_at, link_id, automated FROM {Event._meta.db_table} "
        "WHERE delivery_id = %s AND kind = 'clicked' AND occurred_at BETWEEN %s AND %s",
        [delivery_id, at - window, at + window],
    )
    nearby = cursor.fetchall()
    links = {row[2] for row in nearby} | {link_id}
    if len(links) < settings.TRACKING_BURST_LINKS:
        return []
    humans = [(row[0], row[1], row[2]) for row in nearby if not row[3]]
    return humans or [(0, at, None)]


def _burst_reclassify(
    cursor,
    delivery_id: int,
    burst: list[tuple[int, datetime, int | None]],
    current: dict[str, datetime | None],
    deltas: _Deltas,
) -> dict[str, datetime | None]:
    """Flag the earlier clicks of a burst as bot clicks, moving their counts and, where one
    of them was the delivery's first human click, recomputing first_clicked_at."""
    ids = [event_id for event_id, _at, _link in burst if event_id]
    if not ids:
        return {}
    cursor.execute(
        f"UPDATE {Event._meta.db_table} SET automated = TRUE, automated_reason = 'burst' "
        "WHERE id = ANY(%s) AND automated = FALSE",
        [ids],
    )
    for _event_id, moment, link_id in burst:
        if not _event_id:
            continue
        deltas.add(moment, "clicks_total", -1)
        deltas.add(moment, "bot_clicks")
        if link_id is not None:
            deltas.links[link_id]["clicks"] -= 1
            deltas.links[link_id]["bot_clicks"] += 1
    cursor.execute(
        f"SELECT MIN(occurred_at) FROM {Event._meta.db_table} "
        "WHERE delivery_id = %s AND kind = 'clicked' AND NOT automated",
        [delivery_id],
    )
    new_first = cursor.fetchone()[0]
    old_first = current["first_clicked_at"]
    if new_first == old_first:
        return {}
    if old_first is not None:
        deltas.add(old_first, "clicked", -1)
    if new_first is not None:
        deltas.add(new_first, "clicked")
    return {"first_clicked_at": new_first}


def delivery_settle_from_provider(
    *, delivery_id: int, accepted: bool, provider_message_id: str = "", error_code: str = ""
) -> bool:
    """Settle a delivery still `sending` or `unknown` from a provider's word about it.

    This is how a delivery whose worker died mid-send gets its real outcome. Settled
    deliveries (`sent`, `failed`) are left alone: callbacks arrive out of order."""
    open_states = [Delivery.Status.SENDING, Delivery.Status.UNKNOWN]
    rows = Delivery.objects.filter(pk=delivery_id, status__in=open_states)
    now = timezone.now()
    if accepted:
        updated = rows.update(
            status=Delivery.Status.SENT,
            provider_message_id=provider_message_id[:128],
            sent_at=now,
            updated_at=now,
            error_code="",
            error_message="",
        )
    else:
        updated = rows.update(
            status=Delivery.Status.FAILED,
            provider_message_id=provider_message_id[:128],
            error_code=error_code[:64],
            error_message="delivery.provider_failed",  # a system message's code (channels/base.py)
            updated_at=now,
        )
    if updated:
        delivery_counts_snapshot_drop(delivery_id=delivery_id)
    return bool(updated)


# --- Provider events --------------------------------------------------------------------------

# Largest id a delivery can have (PostgreSQL bigint): a larger one names no delivery.
DELIVERY_ID_MAX = 2**63 - 1


class Applied(enum.StrEnum):
    """What one provider event did."""

    RECORDED = "recorded"  # stored as a new event
    UNCHANGED = "unchanged"  # fits its delivery, but was known already (a replay) or is not kept
    IGNORED = "ignored"  # names no delivery we sent on that channel to that address: no change


def delivery_id_parse(value: object) -> int | None:
    """A delivery id from a provider's text (a query parameter, a custom arg), else None."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        delivery_id = int(value)
    except ValueError:  # not a number, or more digits than Python converts
        return None
    return delivery_id if 0 < delivery_id <= DELIVERY_ID_MAX else None


def _ignored(provider: str, reason: str, delivery_id: object) -> Applied:
    # A batch logs its counts once (webhook_batch_apply); a single callback logs itself.
    logger.log(
        logging.DEBUG if provider == "sendgrid" else logging.INFO,
        "webhook event ignored provider=%s reason=%s delivery_id=%.40r",
        provider,
        reason,
        delivery_id,
    )
    return Applied.IGNORED


TWILIO_EVENTS = {
    "sent": (Kind.SENT, KEY_SENT),
    "delivered": (Kind.DELIVERED, KEY_DELIVERED),
    "read": (Kind.READ, KEY_READ),
    "failed": (Kind.FAILED, KEY_FAIL),
    "undelivered": (Kind.FAILED, KEY_FAIL),
}


def twilio_status_record(*, delivery_id: object, params: dict[str, str]) -> Applied:
    """A verified Twilio status callback: settle the delivery if still open, record the event.

    Only a WhatsApp delivery takes it; any other id (unknown, out of range, another channel's
    delivery) is ignored and changes nothing."""
    parsed = delivery_id_parse(delivery_id)
    if parsed is None:
        return _ignored("twilio", "bad_id", delivery_id)
    channel = Delivery.objects.filter(pk=parsed).values_list("channel", flat=True).first()
    if channel is None:
        return _ignored("twilio", "no_delivery", parsed)
    if channel != "whatsapp":
        return _ignored("twilio", "channel", parsed)
    status = params.get("MessageStatus", "")
    if status in TWILIO_ACCEPTED or status in TWILIO_FAILED:
        delivery_settle_from_provider(
            delivery_id=parsed,
            accepted=status in TWILIO_ACCEPTED,
            provider_message_id=params.get("MessageSid", ""),
            error_code=params.get("ErrorCode", ""),
        )
    if status not in TWILIO_EVENTS:
        return Applied.UNCHANGED
    kind, key = TWILIO_EVENTS[status]
    recorded = event_record(
        delivery_id=parsed,
        kind=kind,
        source=Event.Source.TWILIO,
        dedupe_key=key,
        provider_event_id=f"{params.get('MessageSid', '')}:{status}",
        error_code=params.get("ErrorCode", "") if kind == Kind.FAILED else "",
    )
    if recorded is None:
        return Applied.UNCHANGED
    if params.get("ErrorCode", "") in TWILIO_PERMANENT_CODES:
        _fallback_after_bounce(parsed)
    return Applied.RECORDED


# Twilio errors reported after acceptance that no retry fixes: 63003 the number is not on
# WhatsApp, 21211 invalid number, 21614 not a mobile number.
TWILIO_PERMANENT_CODES = {"63003", "21211", "21614"}


def _fallback_after_bounce(delivery_id: int) -> None:
    """Channel fallback (docs/policies.md) for a delivery the provider gave up on later."""
    from campaigns.services import delivery_fallback_after_bounce

    delivery_fallback_after_bounce(delivery_id=delivery_id)


SENDGRID_SUPPRESS = {
    "bounce": Suppression.Reason.BOUNCE,
    "dropped": Suppression.Reason.BOUNCE,
    "spamreport": Suppression.Reason.COMPLAINT,
    "unsubscribe": Suppression.Reason.UNSUBSCRIBE,
    "group_unsubscribe": Suppression.Reason.UNSUBSCRIBE,
}


def suppression_add(*, channel: str, address: str, reason: str, detail: str = "") -> None:
    """Never message this address on this channel again (the first reason is kept)."""
    if not address:
        return
    if channel == "email":
        address = address.strip().lower()
    Suppression.objects.bulk_create(
        [Suppression(channel=channel, address=address[:254], reason=reason, detail=detail[:255])],
        ignore_conflicts=True,
    )


def _sendgrid_time(event: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(event["timestamp"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


@dataclass
class DeliveryFacts:
    """What a provider event is checked against: where the delivery went, and whether it is
    still open (`sending`, `unknown`), so a settled one is not asked to settle again."""

    channel: str
    address: str  # the creator's email, lower case
    status: str


def email_deliveries_get(
    *, delivery_ids: list[int], lock: bool = False
) -> dict[int, DeliveryFacts]:
    """The facts of each of these deliveries that exists. `lock` (in a transaction) locks
    their rows in id order, as `event_record` would one by one: two batches naming the same
    deliveries in different orders then wait for each other instead of deadlocking."""
    rows = Delivery.objects.filter(pk__in=delivery_ids)
    if lock:
        rows = rows.order_by("pk").select_for_update(no_key=True, of=("self",))
    facts = rows.values_list("pk", "channel", "creator__email", "status")
    return {
        pk: DeliveryFacts(channel, (email or "").strip().lower(), status)
        for pk, channel, email, status in facts
    }


class ProviderEventFacts(TypedDict):
    """The `event_record` arguments every kind of one provider event shares."""

    delivery_id: int
    source: str
    occurred_at: datetime
    provider_event_id: str
    user_agent: str
    ip: str


def sendgrid_event_record(
    *, event: dict[str, Any], deliveries: dict[int, DeliveryFacts] | None = None
) -> Applied:
    """One verified SendGrid Event Webhook event, matched to its delivery by `delivery_id`.

    The event must fit the delivery: an email delivery, sent to the event's address. One
    that does not (or names no delivery we sent) changes nothing, not even a suppression: we
    cannot tell the address is one of ours. `deliveries` is `email_deliveries_get` for the
    batch, when the caller looked them up at once."""
    from tracking.tokens import click_token_read

    delivery_id = delivery_id_parse(event.get("delivery_id"))
    if delivery_id is None:
        return _ignored("sendgrid", "bad_id", event.get("delivery_id"))
    if deliveries is None:
        deliveries = email_deliveries_get(delivery_ids=[delivery_id])
    facts = deliveries.get(delivery_id)
    if facts is None:
        return _ignored("sendgrid", "no_delivery", delivery_id)
    address = facts.address
    if facts.channel != "email":
        return _ignored("sendgrid", "channel", delivery_id)
    if not address or str(event.get("email", "")).strip().lower() != address:
        return _ignored("sendgrid", "address", delivery_id)
    name = str(event.get("event", ""))
    open_states = (Delivery.Status.SENDING, Delivery.Status.UNKNOWN)
    if facts.status in open_states and (name in SENDGRID_ACCEPTED or name in SENDGRID_FAILED):
        facts.status = "settled"  # by this event, or by whoever settled it since it was read
        delivery_settle_from_provider(
            delivery_id=delivery_id,
            accepted=name in SENDGRID_ACCEPTED,
            provider_message_id=str(event.get("sg_message_id", "")),
            error_code=f"sendgrid_{name}",
        )
    at = _sendgrid_time(event)
    sg_id = str(event.get("sg_event_id", ""))[:120]
    agent = str(event.get("useragent", ""))
    common: ProviderEventFacts = {
        "delivery_id": delivery_id,
        "source": Event.Source.SENDGRID,
        "occurred_at": at,
        "provider_event_id": sg_id,
        "user_agent": agent,
        "ip": str(event.get("ip", "")),
    }
    recorded: Recorded | None = None
    if name == "processed":
        recorded = event_record(kind=Kind.SENT, dedupe_key=KEY_SENT, **common)
    elif name == "delivered":
        recorded = event_record(kind=Kind.DELIVERED, dedupe_key=KEY_DELIVERED, **common)
    elif name == "deferred":
        recorded = event_record(kind=Kind.DEFERRED, dedupe_key=f"sg:{sg_id}", **common)
    elif name == "open":
        machine = event.get("sg_machine_open") is True or str(event.get("sg_machine_open")) in (
            "true",
            "True",
            "1",
        )
        reason = "sg_machine_open" if machine else ""
        recorded = event_record(kind=Kind.OPENED, automated_reason=reason, **common)
    elif name == "click":
        token = (
            str(event.get("url", "")).rsplit("/t/c/", 1)[-1]
            if "/t/c/" in str(event.get("url", ""))
            else ""
        )
        click = click_token_read(token.split("?")[0]) if token else None
        link_id = click.link_id if click and click.delivery_id == delivery_id else None

        def classify(sent_at: datetime | None, channel: str) -> str:
            return click_automated_reason(
                method="GET", user_agent=agent, channel=channel, sent_at=sent_at, occurred_at=at
            )

        recorded = event_record(
            kind=Kind.CLICKED,
            link_id=link_id,
            classify=classify,
            dedupe_key=None if link_id else f"sg:{sg_id}",
            detect_burst=True,
            **common,
        )
    elif name in ("bounce", "dropped"):
        code = str(event.get("status") or event.get("reason") or name)
        recorded = event_record(
            kind=Kind.BOUNCED if name == "bounce" else Kind.FAILED,
            dedupe_key=KEY_FAIL,
            error_code=f"{name}:{code}"[:64],
            **common,
        )
        # A hard bounce or a drop is permanent; a `blocked` bounce (soft) is not.
        if recorded is not None and event.get("type") != "blocked":
            _fallback_after_bounce(delivery_id)
    elif name == "spamreport":
        recorded = event_record(kind=Kind.COMPLAINED, dedupe_key=KEY_COMPLAINT, **common)
    elif name in ("unsubscribe", "group_unsubscribe"):
        recorded = event_record(kind=Kind.UNSUBSCRIBED, dedupe_key=KEY_UNSUBSCRIBE, **common)
    if name in SENDGRID_SUPPRESS:
        suppression_add(
            channel="email",
            address=address,
            reason=SENDGRID_SUPPRESS[name],
            detail=f"sendgrid {name}: {event.get('reason', '')}",
        )
    if recorded is not None and name in ("unsubscribe", "group_unsubscribe"):
        creator = Creator.objects.filter(deliveries__id=delivery_id).first()
        if creator is not None:
            creator_consent_set(
                creator=creator, channel="email", status=ConsentStatus.DENIED, source="provider"
            )
    return Applied.UNCHANGED if recorded is None else Applied.RECORDED


# --- Webhook batches (docs/tracking.md, "Webhooks") ----------------------------------------------


def webhook_batch_store(*, provider: str, body: str, events: int) -> WebhookBatch:
    """Keep a verified webhook body; `webhook_batch_apply` applies it after this commits."""
    return WebhookBatch.objects.create(provider=provider, body=body, events=events)


def webhook_batch_apply(*, batch_id: int, attempts: int = 3) -> WebhookBatch | None:
    """Apply a stored batch's events and mark it applied, in one transaction: exactly once.

    Returns None when the batch is applied already or being applied by another worker (its
    row is locked); a worker killed mid-batch rolls everything back, and the sweep applies
    the batch again. A deadlock with another writer is retried `attempts` times."""
    for attempt in range(1, attempts + 1):
        try:
            return _webhook_batch_apply(batch_id)
        except OperationalError as error:
            if attempt == attempts or not isinstance(error.__cause__, DeadlockDetected):
                raise
            logger.warning("webhook batch %s deadlocked; trying again (%s)", batch_id, attempt)
    return None


def _webhook_batch_apply(batch_id: int) -> WebhookBatch | None:
    started = time.monotonic()
    with transaction.atomic():
        batch = (
            WebhookBatch.objects.select_for_update(skip_locked=True)
            .filter(pk=batch_id, applied_at__isnull=True)
            .first()
        )
        if batch is None:
            return None
        events = [event for event in json.loads(batch.body) if isinstance(event, dict)]
        ids = {
            delivery_id
            for event in events
            if (delivery_id := delivery_id_parse(event.get("delivery_id"))) is not None
        }
        deliveries = email_deliveries_get(delivery_ids=list(ids), lock=True)
        outcomes: dict[Applied, int] = dict.fromkeys(Applied, 0)
        with events_batched():
            for event in events:
                outcomes[sendgrid_event_record(event=event, deliveries=deliveries)] += 1
        batch.ignored = outcomes[Applied.IGNORED] + batch.events - len(events)
        batch.recorded, batch.unchanged = outcomes[Applied.RECORDED], outcomes[Applied.UNCHANGED]
        batch.applied_at, batch.error = timezone.now(), ""
        batch.save(update_fields=["recorded", "unchanged", "ignored", "applied_at", "error"])
    logger.info(
        "webhook batch applied provider=%s batch=%s events=%s recorded=%s unchanged=%s "
        "ignored=%s seconds=%.2f",
        batch.provider,
        batch.pk,
        batch.events,
        batch.recorded,
        batch.unchanged,
        batch.ignored,
        time.monotonic() - started,
    )
    return batch


def webhook_batch_failed(*, batch_id: int, error: str) -> None:
    """Note why a batch could not be applied (it stays unapplied; the sweep tries again)."""
    WebhookBatch.objects.filter(pk=batch_id, applied_at__isnull=True).update(error=error[:500])


def webhook_batches_sweep(*, older_than: timedelta, max_seconds: float = 50.0) -> int:
    """Apply batches left unapplied longer than `older_than` (a lost task, a killed worker);
    returns how many this call applied. A batch that fails is noted and left for next time."""
    cutoff = timezone.now() - older_than
    pending = WebhookBatch.objects.filter(applied_at__isnull=True, received_at__lt=cutoff)
    done, deadline = 0, time.monotonic() + max_seconds
    for batch_id in pending.order_by("received_at").values_list("pk", flat=True)[:1000]:
        if time.monotonic() > deadline:
            break
        try:
            applied = webhook_batch_apply(batch_id=batch_id)
        except Exception as error:
            logger.exception("webhook batch %s failed to apply", batch_id)
            webhook_batch_failed(batch_id=batch_id, error=repr(error))
            continue
        done += applied is not None
    if done:
        logger.warning("webhook sweep applied %s batch(es) left unapplied", done)
    # Applied batches are kept a while for support questions, then dropped.
    keep = timezone.now() - timedelta(days=settings.TRACKING_WEBHOOK_KEEP_DAYS)
    old = WebhookBatch.objects.filter(applied_at__lt=keep).values_list("pk", flat=True)[:1000]
    WebhookBatch.objects.filter(pk__in=list(old)).delete()
    return done


# --- Opens and clicks from creators -------------------------------------------------------------


class HitFacts(TypedDict):
    """What the open pixel learns from a request: `open_pixel_record`'s arguments."""

    delivery_id: int
    method: str
    user_agent: str
    ip: str


class ClickFacts(HitFacts):
    """What the click redirect learns from a request: `click_record`'s arguments."""

    link_id: int


def open_pixel_record(
    *,
    delivery_id: int,
    method: str,
    user_agent: str,
    ip: str,
    occurred_at: datetime | None = None,
) -> Recorded | None:
    return event_record(
        delivery_id=delivery_id,
        kind=Kind.OPENED,
        source=Event.Source.PIXEL,
        occurred_at=occurred_at,
        automated_reason=open_automated_reason(method=method, user_agent=user_agent),
        user_agent=user_agent,
        ip=ip,
    )


def click_record(
    *,
    delivery_id: int,
    link_id: int,
    method: str,
    user_agent: str,
    ip: str,
    occurred_at: datetime | None = None,
) -> Recorded | None:
    now = occurred_at or timezone.now()

    def classify(sent_at: datetime | None, channel: str) -> str:
        return click_automated_reason(
            method=method, user_agent=user_agent, channel=channel, sent_at=sent_at, occurred_at=now
        )

    return event_record(
        delivery_id=delivery_id,
        kind=Kind.CLICKED,
        source=Event.Source.REDIRECT,
        occurred_at=now,
        link_id=link_id,
        user_agent=user_agent,
        ip=ip,
        detect_burst=True,
        classify=classify,
    )


def push_open_record(*, delivery_id: int, user_agent: str = "", ip: str = "") -> Recorded | None:
    """The app reports a notification opened: counted once per delivery. Raises
    TokenRefused for a delivery that is not a push (only an untimestamped token, from
    before push-open tokens had their own salt, can name one)."""
    if not Delivery.objects.filter(pk=delivery_id, channel="push").exists():
        raise TokenRefused(gettext("This token is not a push notification's."))
    return event_record(
        delivery_id=delivery_id,
        kind=Kind.OPENED,
        source=Event.Source.APP,
        dedupe_key=KEY_PUSH_OPEN,
        user_agent=user_agent,
        ip=ip,
    )


def inbox_message_read(*, message, user_agent: str = "", ip: str = "") -> Recorded | None:
    """A creator read an inbox message: mark it read and record the open (once)."""
    from channels.models import InboxMessage

    now = timezone.now()
    InboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
    return event_record(
        delivery_id=message.delivery_id,
        kind=Kind.OPENED,
        source=Event.Source.INBOX,
        occurred_at=now,
        dedupe_key=KEY_INBOX_READ,
        user_agent=user_agent,
        ip=ip,
    )


# --- Recount ------------------------------------------------------------------------------------


@transaction.atomic
def rollup_recount(*, campaign: Campaign) -> None:
    """Rebuild the campaign's rollups and its deliveries' first_* from the raw events."""
    events, rollups, links = (
        Event._meta.db_table,
        Rollup._meta.db_table,
        LinkRollup._meta.db_table,
    )
    deliveries, failures = Delivery._meta.db_table, FailureRollup._meta.db_table
    hour = "date_trunc('hour', {} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {rollups} WHERE campaign_id = %s", [campaign.pk])
        cursor.execute(f"DELETE FROM {links} WHERE campaign_id = %s", [campaign.pk])
        cursor.execute(f"DELETE FROM {failures} WHERE campaign_id = %s", [campaign.pk])
        cursor.execute(
            f"""
            UPDATE {deliveries} d SET first_delivered_at = f.delivered,
                first_opened_at = f.opened, first_clicked_at = f.clicked
            FROM (
                SELECT d2.id,
                    MIN(e.occurred_at) FILTER (WHERE e.kind IN ('delivered', 'read')) AS delivered,
                    MIN(e.occurred_at) FILTER (WHERE e.kind IN ('opened', 'read') AND NOT e.automated) AS opened,
                    MIN(e.occurred_at) FILTER (WHERE e.kind = 'clicked' AND NOT e.automated) AS clicked
                FROM {deliveries} d2 LEFT JOIN {events} e ON e.delivery_id = d2.id
                WHERE d2.campaign_id = %s
                GROUP BY d2.id
            ) f
            WHERE d.id = f.id AND (d.first_delivered_at IS DISTINCT FROM f.delivered
                OR d.first_opened_at IS DISTINCT FROM f.opened
                OR d.first_clicked_at IS DISTINCT FROM f.clicked)
            """,
            [campaign.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {rollups} (campaign_id, channel, locale, variant, hour, delivered, opened,
                clicked, opens_total, clicks_total, machine_opens, bot_clicks, bounced,
                complained, unsubscribed)
            SELECT %s, channel, locale, variant, hour, SUM(delivered), SUM(opened), SUM(clicked),
                SUM(opens_total), SUM(clicks_total), SUM(machine_opens), SUM(bot_clicks),
                SUM(bounced), SUM(complained), SUM(unsubscribed)
            FROM (
                SELECT e.channel, e.locale, e.variant, {hour.format("e.occurred_at")} AS hour,
                    0 AS delivered, 0 AS opened, 0 AS clicked,
                    COUNT(*) FILTER (WHERE e.kind IN ('opened', 'read') AND NOT e.automated) AS opens_total,
                    COUNT(*) FILTER (WHERE e.kind = 'clicked' AND NOT e.automated) AS clicks_total,
                    COUNT(*) FILTER (WHERE e.kind IN ('opened', 'read') AND e.automated) AS machine_opens,
                    COUNT(*) FILTER (WHERE e.kind = 'clicked' AND e.automated) AS bot_clicks,
                    COUNT(*) FILTER (WHERE e.kind IN ('bounced', 'failed') AND d.status <> 'failed') AS bounced,
                    COUNT(*) FILTER (WHERE e.kind = 'complained') AS complained,
                    COUNT(*) FILTER (WHERE e.kind = 'unsubscribed') AS unsubscribed
                FROM {events} e JOIN {deliveries} d ON d.id = e.delivery_id
                WHERE e.campaign_id = %s
                GROUP BY 1, 2, 3, 4
                UNION ALL
                SELECT channel, locale, '', {hour.format("first_delivered_at")}, COUNT(*), 0, 0,
                    0, 0, 0, 0, 0, 0, 0
                FROM {deliveries} WHERE campaign_id = %s AND first_delivered_at IS NOT NULL
                GROUP BY 1, 2, 3, 4
                UNION ALL
                SELECT channel, locale, '', {hour.format("first_opened_at")}, 0, COUNT(*), 0,
                    0, 0, 0, 0, 0, 0, 0
                FROM {deliveries} WHERE campaign_id = %s AND first_opened_at IS NOT NULL
                GROUP BY 1, 2, 3, 4
                UNION ALL
                SELECT channel, locale, '', {hour.format("first_clicked_at")}, 0, 0, COUNT(*),
                    0, 0, 0, 0, 0, 0, 0
                FROM {deliveries} WHERE campaign_id = %s AND first_clicked_at IS NOT NULL
                GROUP BY 1, 2, 3, 4
            ) parts
            GROUP BY channel, locale, variant, hour
            """,
            [campaign.pk] * 5,
        )
        cursor.execute(
            f"""
            INSERT INTO {links} (campaign_id, link_id, clicks, bot_clicks)
            SELECT %s, link_id, COUNT(*) FILTER (WHERE NOT automated),
                COUNT(*) FILTER (WHERE automated)
            FROM {events} WHERE campaign_id = %s AND kind = 'clicked' AND link_id IS NOT NULL
            GROUP BY link_id
            """,
            [campaign.pk, campaign.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {failures} (campaign_id, channel, error_code, count)
            SELECT %s, e.channel, LEFT(e.error_code, 64), COUNT(*)
            FROM {events} e JOIN {deliveries} d ON d.id = e.delivery_id
            WHERE e.campaign_id = %s AND e.kind IN ('bounced', 'failed') AND d.status <> 'failed'
            GROUP BY 2, 3
            """,
            [campaign.pk, campaign.pk],
        )
