"""Recording events: validated, deduplicated by idempotency key, written in bulk.

`events_record` serves /api/events and everything Altavoz emits (`event_emit`). A batch is
one transaction: ids are drawn from the table's sequence, the idempotency keys are claimed
with one `INSERT … ON CONFLICT DO NOTHING` (a key another request holds makes this one wait
for it, then count as a duplicate), and the accepted rows go in with one `COPY`. After the
commit the consumers (events.consumers) get what was stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.schemas import unstorable_text_find
from events.consumers import RecordedEvent, consumers_notify
from events.exceptions import EventRefused
from events.models import IDEMPOTENCY_KEY_MAX_LENGTH, NAME_MAX_LENGTH, Event

NAME_RE = re.compile(rf"[a-z][a-z0-9_]{{0,{NAME_MAX_LENGTH - 1}}}")
PROPS_MAX_BYTES = 16 * 1024


@dataclass(frozen=True)
class EventIn:
    """One event to record: the creator by `creator_id` or by `creator_handle`; `occurred_at`
    an aware datetime or ISO 8601 text (None: now)."""

    name: str
    creator_id: int | None = None
    creator_handle: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime | str | None = None
    idempotency_key: str | None = None


class EventStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


class RefusalReason(StrEnum):
    UNKNOWN_CREATOR = "unknown_creator"
    BAD_NAME = "bad_name"
    BAD_PROPS = "bad_props"
    PROPS_TOO_LARGE = "props_too_large"
    BAD_OCCURRED_AT = "bad_occurred_at"
    BAD_IDEMPOTENCY_KEY = "bad_idempotency_key"


def refusal_message(reason: str) -> str:
    """The translated sentence for a refusal code (stored and returned as the code)."""
    messages = {
        RefusalReason.UNKNOWN_CREATOR: _("No creator has this handle."),
        RefusalReason.BAD_NAME: _(
            "The name must be a lower-case identifier: a letter, then letters, digits or "
            "underscores, at most %(max)d characters."
        )
        % {"max": NAME_MAX_LENGTH},
        RefusalReason.BAD_PROPS: _(
            "The properties must be a JSON object with storable text and finite numbers."
        ),
        RefusalReason.PROPS_TOO_LARGE: _("The properties are over %(max)d KB as JSON.")
        % {"max": PROPS_MAX_BYTES // 1024},
        RefusalReason.BAD_OCCURRED_AT: _(
            "occurred_at must be an ISO 8601 time with a time zone, within the last %(days)d "
            "days and at most %(ahead)d days ahead."
        )
        % {"days": settings.EVENTS_RETENTION_DAYS, "ahead": settings.EVENTS_MAX_FUTURE_DAYS},
        RefusalReason.BAD_IDEMPOTENCY_KEY: _("The idempotency key must be 1 to %(max)d characters.")
        % {"max": IDEMPOTENCY_KEY_MAX_LENGTH},
    }
    return str(messages.get(RefusalReason(reason), reason))


@dataclass(frozen=True)
class EventResult:
    status: EventStatus
    id: int | None = None
    reason: RefusalReason | None = None


@dataclass
class _Checked:
    index: int
    creator_id: int
    name: str
    props_json: str
    props: dict[str, Any]
    occurred_at: datetime
    key: str | None


def _occurred_at_parse(value: datetime | str | None, *, now: datetime) -> datetime | None:
    if value is None:
        return now
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return None
    if value < now - timedelta(days=settings.EVENTS_RETENTION_DAYS):
        return None
    if value > now + timedelta(days=settings.EVENTS_MAX_FUTURE_DAYS):
        return None
    return value


def _props_json(props: Any) -> str | None:
    if not isinstance(props, dict) or unstorable_text_find(props) is not None:
        return None
    try:
        return json.dumps(props, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None


def _creator_ids_by_handle(handles: set[str]) -> dict[str, int]:
    if not handles:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT handle, id FROM creators_creator WHERE handle = ANY(%s)", [list(handles)]
        )
        return dict(cursor.fetchall())


def _creator_ids_existing(ids: set[int]) -> set[int]:
    if not ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM creators_creator WHERE id = ANY(%s)", [list(ids)])
        return {row[0] for row in cursor.fetchall()}


def events_record(*, events: Sequence[EventIn], source: str) -> list[EventResult]:
    """Record a batch; one result per input, in order: accepted (with the event's id),
    duplicate (an idempotency key seen before, in this batch or earlier: with the id of the
    event that key recorded) or refused (with the reason). Consumers get the accepted events
    once the transaction that recorded them commits."""
    now = timezone.now()
    results: list[EventResult | None] = [None] * len(events)
    handles = {e.creator_handle for e in events if e.creator_id is None and e.creator_handle}
    by_handle = _creator_ids_by_handle({h for h in handles if isinstance(h, str)})
    existing = _creator_ids_existing({e.creator_id for e in events if e.creator_id is not None})
    checked: list[_Checked] = []
    for index, event in enumerate(events):
        reason, row = _check(event, index=index, now=now, by_handle=by_handle, existing=existing)
        if reason is not None:
            results[index] = EventResult(EventStatus.REFUSED, reason=reason)
        elif row is not None:
            checked.append(row)
    recorded = _write(checked, results=results, source=source, now=now) if checked else []
    if recorded:
        transaction.on_commit(lambda: consumers_notify(events=recorded))
    return [result for result in results if result is not None]


def _check(
    event: EventIn,
    *,
    index: int,
    now: datetime,
    by_handle: dict[str, int],
    existing: set[int],
) -> tuple[RefusalReason | None, _Checked | None]:
    if event.creator_id is not None:
        creator_id = event.creator_id if event.creator_id in existing else None
    else:
        creator_id = by_handle.get(event.creator_handle or "")
    if creator_id is None:
        return RefusalReason.UNKNOWN_CREATOR, None
    if not isinstance(event.name, str) or not NAME_RE.fullmatch(event.name):
        return RefusalReason.BAD_NAME, None
    props_json = _props_json(event.props)
    if props_json is None:
        return RefusalReason.BAD_PROPS, None
    if len(props_json) > PROPS_MAX_BYTES // 4 and len(props_json.encode()) > PROPS_MAX_BYTES:
        return RefusalReason.PROPS_TOO_LARGE, None
    occurred_at = _occurred_at_parse(event.occurred_at, now=now)
    if occurred_at is None:
        return RefusalReason.BAD_OCCURRED_AT, None
    key = event.idempotency_key
    if key is not None and (
        not isinstance(key, str)
        or not 0 < len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH
        or unstorable_text_find(key) is not None
    ):
        return RefusalReason.BAD_IDEMPOTENCY_KEY, None
    return None, _Checked(index, creator_id, event.name, props_json, event.props, occurred_at, key)


@transaction.atomic
def _write(
    rows: list[_Checked], *, results: list[EventResult | None], source: str, now: datetime
) -> list[RecordedEvent]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval('events_event_id_seq') FROM generate_series(1, %s)", [len(rows)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        keep = _keys_claim(cursor, rows, ids=ids, results=results, now=now)
        recorded = []
        with cursor.copy(
            "COPY events_event (id, creator_id, name, props, occurred_at, received_at, source,"
            " idempotency_key) FROM STDIN"
        ) as copy:
            for row, event_id in zip(rows, ids, strict=True):
                if row.index not in keep:
                    continue
                copy.write_row(
                    (
                        event_id,
                        row.creator_id,
                        row.name,
                        row.props_json,
                        row.occurred_at,
                        now,
                        source,
                        row.key,
                    )
                )
                results[row.index] = EventResult(EventStatus.ACCEPTED, id=event_id)
                recorded.append(
                    RecordedEvent(event_id, row.creator_id, row.name, row.props, row.occurred_at)
                )
    return recorded


def _keys_claim(
    cursor: Any,
    rows: list[_Checked],
    *,
    ids: list[int],
    results: list[EventResult | None],
    now: datetime,
) -> set[int]:
    """Claim the rows' idempotency keys; returns the indexes of the rows to write (unkeyed, or
    keyed and first to claim the key) and marks the others duplicates."""
    keep = {row.index for row in rows if row.key is None}
    first_by_key: dict[str, tuple[int, int]] = {}
    repeats: list[tuple[int, str]] = []
    for row, event_id in zip(rows, ids, strict=True):
        if row.key is None:
            continue
        if row.key in first_by_key:
            repeats.append((row.index, row.key))
        else:
            first_by_key[row.key] = (row.index, event_id)
    if not first_by_key:
        return keep
    keys = list(first_by_key)
    cursor.execute(
        """
        INSERT INTO events_eventkey (key, event_id, created_at)
        SELECT key, event_id, %s FROM unnest(%s::text[], %s::bigint[]) AS claim(key, event_id)
        ON CONFLICT (key) DO NOTHING
        RETURNING key
        """,
        [now, keys, [first_by_key[key][1] for key in keys]],
    )
    claimed = {row[0] for row in cursor.fetchall()}
    seen = [key for key in keys if key not in claimed]
    earlier: dict[str, int] = {}
    if seen:
        cursor.execute("SELECT key, event_id FROM events_eventkey WHERE key = ANY(%s)", [seen])
        earlier = dict(cursor.fetchall())
    for key, (index, _event_id) in first_by_key.items():
        if key in claimed:
            keep.add(index)
        else:
            results[index] = EventResult(EventStatus.DUPLICATE, id=earlier.get(key))
    for index, key in repeats:
        first_id = first_by_key[key][1] if key in claimed else earlier.get(key)
        results[index] = EventResult(EventStatus.DUPLICATE, id=first_id)
    return keep


def event_emit(
    *,
    creator_id: int,
    name: str,
    props: dict[str, Any],
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> EventResult:
    """Record one of Altavoz's own events (docs/events.md, "Built-in events") in the caller's
    transaction, so it is stored exactly when the change it reports commits; the consumers
    get it on that commit. A refusal here is a bug in the caller, so it raises."""
    [result] = events_record(
        events=[
            EventIn(
                name=name,
                creator_id=creator_id,
                props=props,
                occurred_at=occurred_at,
                idempotency_key=idempotency_key,
            )
        ],
        source=Event.Source.ALTAVOZ,
    )
    if result.reason is not None:
        raise EventRefused(name=name, reason=result.reason)
    return result
