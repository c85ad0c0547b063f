"""Bulk recording of queued pixel and click hits: what the write-behind drain writes.

`hits_record` stores a chunk of hits with the exact outcome of calling
`services.open_pixel_record` / `services.click_record` once per hit, in order (same events,
same automated flags and reasons, same dedupe, same `first_*`, same rollups: the tests in
tests/tracking/test_drain_bulk.py replay one sequence both ways and compare), but with a
fixed number of statements per chunk instead of four to six per hit:

1. lock the chunk's deliveries (`FOR NO KEY UPDATE`, in id order, as `event_record` locks
   them one by one: every writer of a delivery's events holds its row, so what is read
   next cannot change under us, and parallel drains wait for each other instead of
   deadlocking);
2. read the dedupe keys the chunk could collide with, and every click of the deliveries
   clicked in it (burst detection and `first_clicked_at` after a burst);
3. decide each hit in memory, in arrival order, exactly as `event_record` would;
4. one `COPY` for the events (no key can conflict: see step 1), one
   `UPDATE … FROM unnest(…)` for the deliveries' `first_*`, one for clicks a burst
   reclassified, and the rollup increments summed per campaign/channel/language/hour (one
   upsert per touched rollup row, `services._DeltaSink`); `message_opened` /
   `message_clicked` for first opens and clicks, in bulk (`events_record`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg.errors import DeadlockDetected

from campaigns.models import Delivery
from events.models import Event as CreatorEvent
from events.services import EventIn, events_record
from tracking import services
from tracking.models import DrainedChunk, Event

logger = logging.getLogger(__name__)

Kind = Event.Kind


@dataclass(frozen=True)
class Hit:
    """One queued pixel fetch (`kind` "open") or click redirect (`kind` "click")."""

    kind: str
    delivery_id: int
    link_id: int | None
    method: str
    user_agent: str
    ip: str
    occurred_at: datetime


@dataclass
class _Click:
    """A click of a delivery, stored (`event_id`) or pending in this chunk (`row`)."""

    event_id: int
    at: datetime
    link_id: int | None
    automated: bool
    row: list | None = None


@dataclass
class _DeliveryState:
    creator_id: int
    campaign_id: int
    channel: str
    locale: str
    status: str
    sent_at: datetime | None
    firsts: dict[str, datetime | None]
    clicks: list[_Click] = field(default_factory=list)
    changed: bool = False


@dataclass(frozen=True)
class Stored:
    """An event this chunk stored (for `message_opened` / `message_clicked`)."""

    delivery_id: int
    campaign_id: int
    kind: str
    link_id: int | None
    occurred_at: datetime
    automated: bool


# Column order of a pending event row, as inserted.
_EVENT_COLUMNS = (
    "delivery_id, campaign_id, channel, locale, kind, source, occurred_at, automated, "
    "automated_reason, user_agent, ip_hash, link_id, dedupe_key"
)
_AUTOMATED, _REASON = 7, 8


def hits_record(
    *, hits: Sequence[Hit], claim: str | None = None, attempts: int = 3
) -> list[Stored] | None:
    """Store a chunk of hits in one transaction; returns the events stored (a hit seen
    before, or naming no delivery, stores nothing), or None when the chunk's `claim` was
    recorded already (then nothing is written). A deadlock is retried `attempts` times."""
    for attempt in range(1, attempts + 1):
        try:
            return _hits_record(hits, claim)
        except OperationalError as error:
            if attempt == attempts or not isinstance(error.__cause__, DeadlockDetected):
                raise
            logger.warning("tracking drain chunk deadlocked; trying again (%s)", attempt)
    return []


def _hits_record(hits: Sequence[Hit], claim: str | None) -> list[Stored] | None:
    delivery_table, event_table = Delivery._meta.db_table, Event._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if claim is not None:
            cursor.execute(
                f"INSERT INTO {DrainedChunk._meta.db_table} (claim, hits, recorded_at) "
                "VALUES (%s, %s, now()) ON CONFLICT DO NOTHING RETURNING claim",
                [claim, len(hits)],
            )
            if cursor.fetchone() is None:
                return None
        if not hits:
            return []
        ids = sorted({hit.delivery_id for hit in hits})
        cursor.execute(
            f"SELECT id, creator_id, campaign_id, channel, locale, status, sent_at, "
            "first_delivered_at, "
            f"first_opened_at, first_clicked_at FROM {delivery_table} WHERE id = ANY(%s) "
            "ORDER BY id FOR NO KEY UPDATE",
            [ids],
        )
        states: dict[int, _DeliveryState] = {
            pk: _DeliveryState(
                creator_id,
                campaign_id,
                channel,
                locale,
                status,
                sent_at,
                dict(zip(services.FIRST_FIELDS, firsts, strict=True)),
            )
            for pk, creator_id, campaign_id, channel, locale, status, sent_at, *firsts in (
                cursor.fetchall()
            )
        }
        before = {pk: dict(state.firsts) for pk, state in states.items()}
        clicked = sorted({h.delivery_id for h in hits if h.kind != "open"} & states.keys())
        if clicked:
            cursor.execute(
                f"SELECT delivery_id, id, occurred_at, link_id, automated FROM {event_table} "
                "WHERE delivery_id = ANY(%s) AND kind = 'clicked' ORDER BY id",
                [clicked],
            )
            for delivery_id, event_id, at, link_id, automated in cursor.fetchall():
                states[delivery_id].clicks.append(_Click(event_id, at, link_id, automated))
        seen = _keys_stored(cursor, hits, states)
        window = timedelta(seconds=settings.TRACKING_BURST_SECONDS)
        sink = services._DeltaSink()
        rows: list[list] = []
        reclassified: list[int] = []
        now = timezone.now()
        for hit in hits:
            state = states.get(hit.delivery_id)
            if state is None:
                continue
            _hit_decide(hit, state, seen, window, sink, rows, reclassified)
        if rows:
            _events_insert(cursor, rows, now=now)
        if reclassified:
            cursor.execute(
                f"UPDATE {event_table} SET automated = TRUE, automated_reason = 'burst' "
                "WHERE id = ANY(%s) AND automated = FALSE",
                [reclassified],
            )
        changed = [(pk, s) for pk, s in states.items() if s.changed]
        if changed:
            cursor.execute(
                f"UPDATE {delivery_table} d SET first_opened_at = v.opened, "
                "first_clicked_at = v.clicked FROM unnest(%s::bigint[], %s::timestamptz[], "
                "%s::timestamptz[]) AS v(id, opened, clicked) WHERE d.id = v.id",
                [
                    [pk for pk, _s in changed],
                    [s.firsts["first_opened_at"] for _pk, s in changed],
                    [s.firsts["first_clicked_at"] for _pk, s in changed],
                ],
            )
        sink.write(cursor)
        _firsts_emit(states, before)
    return [Stored(row[0], row[1], row[4], row[11], row[6], row[_AUTOMATED]) for row in rows]


def _events_insert(cursor, rows: list[list], *, now: datetime) -> None:
    """The chunk's events, by COPY: none can conflict on its dedupe key, since every writer
    of a delivery's events holds the delivery's row (locked above) and the keys the chunk
    could collide with were read under that lock."""
    with cursor.cursor.copy(
        f"COPY {Event._meta.db_table} ({_EVENT_COLUMNS}, variant, recorded_at, provider_event_id, "
        "error_code) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row((*row, "", now, "", ""))


# The first human open and click of a delivery, emitted as events (docs/events.md).
FIRST_EVENTS = {"first_opened_at": "message_opened", "first_clicked_at": "message_clicked"}


def _firsts_emit(
    states: dict[int, _DeliveryState], before: dict[int, dict[str, datetime | None]]
) -> None:
    """`message_opened` / `message_clicked` for the deliveries this chunk first opened or
    clicked (a human's, as `first_*` counts them), recorded in bulk in the chunk's
    transaction. The idempotency key names the delivery: each is emitted once, ever."""
    emitted = [
        EventIn(
            name=name,
            creator_id=state.creator_id,
            props={
                "campaign_id": state.campaign_id,
                "delivery_id": pk,
                "channel": state.channel,
            },
            occurred_at=at,
            idempotency_key=f"{name}:{pk}",
        )
        for pk, state in states.items()
        if state.changed
        for field_name, name in FIRST_EVENTS.items()
        if before[pk][field_name] is None and (at := state.firsts[field_name]) is not None
    ]
    if emitted:
        events_record(events=emitted, source=CreatorEvent.Source.ALTAVOZ)


def _keys_stored(cursor, hits: Sequence[Hit], states: dict[int, _DeliveryState]) -> set:
    """The (delivery, dedupe key) pairs already stored that a hit of this chunk could take:
    its minute, human or machine."""
    pairs = set()
    for hit in hits:
        if hit.delivery_id not in states:
            continue
        for automated in (False, True):
            if hit.kind == "open":
                key = services.open_dedupe_key(occurred_at=hit.occurred_at, automated=automated)
            elif hit.link_id is not None:
                key = services.click_dedupe_key(
                    link_id=hit.link_id, occurred_at=hit.occurred_at, automated=automated
                )
            else:
                continue
            pairs.add((hit.delivery_id, key))
    if not pairs:
        return set()
    ordered = sorted(pairs)
    # The keys as one text split by the server: a text[] parameter is quoted key by key.
    cursor.execute(
        f"SELECT e.delivery_id, e.dedupe_key FROM {Event._meta.db_table} e "
        "JOIN unnest(%s::bigint[], string_to_array(%s, ' ')) AS k(delivery_id, dedupe_key) "
        "ON e.delivery_id = k.delivery_id AND e.dedupe_key = k.dedupe_key",
        [[pk for pk, _key in ordered], " ".join(key for _pk, key in ordered)],
    )
    return set(cursor.fetchall())


def _hit_decide(
    hit: Hit,
    state: _DeliveryState,
    seen: set,
    window: timedelta,
    sink: services._DeltaSink,
    rows: list[list],
    reclassified: list[int],
) -> None:
    """What `event_record` does for this hit, on the in-memory state of its delivery."""
    at = hit.occurred_at
    burst: list[_Click] = []
    if hit.kind == "open":
        kind, source = Kind.OPENED, Event.Source.PIXEL
        reason = services.open_automated_reason(method=hit.method, user_agent=hit.user_agent)
    else:
        kind, source = Kind.CLICKED, Event.Source.REDIRECT
        reason = services.click_automated_reason(
            method=hit.method,
            user_agent=hit.user_agent,
            channel=state.channel,
            sent_at=state.sent_at,
            occurred_at=at,
        )
        if not reason:
            nearby = [c for c in state.clicks if at - window <= c.at <= at + window]
            if len({c.link_id for c in nearby} | {hit.link_id}) >= settings.TRACKING_BURST_LINKS:
                reason = "burst"
                burst = [c for c in nearby if not c.automated]
    automated = bool(reason)
    key: str | None = None
    if kind == Kind.OPENED:
        key = services.open_dedupe_key(occurred_at=at, automated=automated)
    elif hit.link_id is not None:
        key = services.click_dedupe_key(link_id=hit.link_id, occurred_at=at, automated=automated)
    if key is not None:
        if (hit.delivery_id, key) in seen:
            return
        seen.add((hit.delivery_id, key))
    row = [
        hit.delivery_id,
        state.campaign_id,
        state.channel,
        state.locale,
        kind,
        source,
        at,
        automated,
        reason[:16],
        hit.user_agent[:300],
        services.ip_hash(hit.ip),
        hit.link_id,
        key,
    ]
    rows.append(row)
    deltas = services._Deltas(state.campaign_id, state.channel, state.locale, "")
    services._count_event(
        deltas,
        kind=kind,
        automated=automated,
        moment=at,
        link_id=hit.link_id,
        delivery_status=state.status,
        error_code="",
    )
    for name, (column, kinds) in services.FIRST_FIELDS.items():
        if kind in kinds and not automated:
            old = state.firsts[name]
            if old is None or at < old:
                state.firsts[name], state.changed = at, True
                deltas.add(at, column)
                if old is not None:
                    deltas.add(old, column, -1)
    if kind == Kind.CLICKED:
        state.clicks.append(_Click(0, at, hit.link_id, automated, row))
    if burst:
        _burst_reclassify(state, burst, deltas, reclassified)
    sink.merge(deltas)


def _burst_reclassify(
    state: _DeliveryState,
    burst: list[_Click],
    deltas: services._Deltas,
    reclassified: list[int],
) -> None:
    """`services._burst_reclassify` on the in-memory clicks: the burst's earlier human
    clicks become bot clicks, and `first_clicked_at` is the earliest human click left."""
    for click in burst:
        click.automated = True
        if click.row is not None:
            click.row[_AUTOMATED], click.row[_REASON] = True, "burst"
        else:
            reclassified.append(click.event_id)
        deltas.add(click.at, "clicks_total", -1)
        deltas.add(click.at, "bot_clicks")
        if click.link_id is not None:
            deltas.links[click.link_id]["clicks"] -= 1
            deltas.links[click.link_id]["bot_clicks"] += 1
    humans = [c.at for c in state.clicks if not c.automated]
    new_first = min(humans) if humans else None
    old_first = state.firsts["first_clicked_at"]
    if new_first == old_first:
        return
    if old_first is not None:
        deltas.add(old_first, "clicked", -1)
    if new_first is not None:
        deltas.add(new_first, "clicked")
    state.firsts["first_clicked_at"], state.changed = new_first, True
