"""The event table's monthly partitions: made ahead of time, dropped after the retention.

`events_event` is partitioned by RANGE(occurred_at), one partition a month named
`events_event_pYYYYMM`, plus `events_event_default` for any row no month holds (an old or
far-future `occurred_at`, or a month not made yet), so no insert ever fails. Making a month
whose rows already sit in the default partition moves them in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from events.models import EventKey

PARENT = "events_event"
DEFAULT = "events_event_default"
_PREFIX = "events_event_p"


def _month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _month_add(month: datetime, count: int) -> datetime:
    index = month.year * 12 + month.month - 1 + count
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _partition_name(month: datetime) -> str:
    return f"{_PREFIX}{month:%Y%m}"


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime
    end: datetime


def event_partitions_list() -> list[Partition]:
    """The monthly partitions that exist, oldest first (not the default one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT child.relname
            FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = %s AND child.relname LIKE %s
            ORDER BY child.relname
            """,
            [PARENT, _PREFIX + "%"],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        suffix = name.removeprefix(_PREFIX)
        start = datetime(int(suffix[:4]), int(suffix[4:6]), 1, tzinfo=UTC)
        found.append(Partition(name=name, start=start, end=_month_add(start, 1)))
    return found


def event_partitions_ensure(
    *, now: datetime | None = None, months_ahead: int | None = None
) -> list[str]:
    """Make the partitions of this month and the next `months_ahead` (settings.
    EVENTS_PARTITIONS_AHEAD_MONTHS); returns the names made. Idempotent."""
    now = now or timezone.now()
    ahead = settings.EVENTS_PARTITIONS_AHEAD_MONTHS if months_ahead is None else months_ahead
    existing = {partition.name for partition in event_partitions_list()}
    cutoff = _retention_cutoff(now)
    made = []
    first = _month_start(now)
    for offset in range(ahead + 1):
        month = _month_add(first, offset)
        name = _partition_name(month)
        if name in existing or _month_add(month, 1) <= cutoff:
            continue
        _partition_create(name=name, start=month, end=_month_add(month, 1))
        made.append(name)
    return made


@transaction.atomic
def _partition_create(*, name: str, start: datetime, end: datetime) -> None:
    """Create one month as a plain table, move in the default partition's rows of that month,
    then attach it (attaching with those rows still in the default would fail)."""
    bounds = {"start": start, "end": end}
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {PARENT} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            f"""
            WITH moved AS (
                DELETE FROM {DEFAULT} WHERE occurred_at >= %(start)s AND occurred_at < %(end)s
                RETURNING *
            )
            INSERT INTO {name} SELECT * FROM moved
            """,
            bounds,
        )
        cursor.execute(
            f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM (%(start)s) TO (%(end)s)",
            bounds,
        )


def _retention_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.EVENTS_RETENTION_DAYS)


@dataclass(frozen=True)
class PruneOutcome:
    partitions_dropped: list[str]
    default_rows_deleted: int
    keys_deleted: int


def event_partitions_prune(*, now: datetime | None = None) -> PruneOutcome:
    """Drop each month that ended before the retention cutoff (now - EVENTS_RETENTION_DAYS),
    delete the default partition's rows older than it, and the idempotency keys too."""
    now = now or timezone.now()
    cutoff = _retention_cutoff(now)
    dropped = []
    for partition in event_partitions_list():
        if partition.end <= cutoff:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {partition.name}")
                cursor.execute(f"DROP TABLE {partition.name}")
            dropped.append(partition.name)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DEFAULT} WHERE occurred_at < %s", [cutoff])
        default_deleted = cursor.rowcount
    keys_deleted, _ = EventKey.objects.filter(created_at__lt=cutoff).delete()
    return PruneOutcome(dropped, default_deleted, keys_deleted)


def event_partitions_maintain(*, now: datetime | None = None) -> tuple[list[str], PruneOutcome]:
    """What the daily beat task runs: make the months ahead, drop the expired ones."""
    return event_partitions_ensure(now=now), event_partitions_prune(now=now)


def event_partitions_after_migrate(**kwargs: Any) -> None:
    """post_migrate: a fresh database (tests, `make run`) gets its months right away."""
    using = kwargs.get("using", "default")
    if using != "default":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [PARENT])
        if not cursor.fetchone()[0]:
            return
    event_partitions_ensure()
