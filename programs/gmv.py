"""`Creator.gmv_30d` is derived from `CreatorMetric` (docs/metrics.md): the sum of the `gmv`
metric over the last 30 days, today included (today in settings.TIME_ZONE), 0 with no rows.

It is kept as a cached column because segments, templates and the creator pages read it
millions of times; it is refreshed, one set-based UPDATE each time,
- after every metric import (CSV and `POST /api/creator-metrics`), for the creators whose
  `gmv` rows the import wrote, inside the import's transaction;
- once a day (beat task `programs.tasks.gmv_30d_refresh`, or `manage.py gmv_30d_refresh`),
  for every creator, because a day leaving the window changes the sum with no import.
Nothing else writes it: the creator import ignores a `gmv_30d` column (docs/importing.md),
the admin shows it read-only, and the demo writes metric rows and refreshes.

Refreshes hold a transaction-level advisory lock, so two imports committing at once cannot
leave a sum computed before the other's rows were visible.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from creators.models import Creator
from programs.models import CreatorMetric, Metric

WINDOW_DAYS = 30
# numeric(14, 2): a sum past it is capped rather than failing the import.
GMV_MAX = "999999999999.99"
_LOCK_KEY = zlib.crc32(b"altavoz:gmv-30d-refresh")
# Up to this many creators, a refresh looks each one's rows up by index; beyond, it refreshes
# everyone in one pass over the window's rows, which costs less (measured on a loaded 2-core
# box, 200,000 creators with 6M rows: 200,000 by index 51-77 s, everyone 9-37 s; 10,000 by
# index 2.7 s).
PER_CREATOR_LIMIT = 20_000


def gmv_window(today: date | None = None) -> tuple[date, date]:
    """First and last day (inclusive) summed into gmv_30d."""
    today = today or timezone.localdate()
    return today - timedelta(days=WINDOW_DAYS - 1), today


@transaction.atomic
def gmv_30d_refresh(
    *, creator_ids: Collection[int] | None = None, today: date | None = None
) -> int:
    """Set gmv_30d from the metrics for `creator_ids` (None: every creator); returns how many
    creators changed."""
    first, last = gmv_window(today)
    creators, metrics = Creator._meta.db_table, CreatorMetric._meta.db_table
    ids = None if creator_ids is None else sorted(set(creator_ids))
    if ids is not None and not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        if ids is None or len(ids) > PER_CREATOR_LIMIT:
            # Everyone (also right for a large import: the same figures for its creators).
            cursor.execute(
                f"""
                UPDATE {creators} c SET gmv_30d = LEAST(COALESCE(s.total, 0), {GMV_MAX})
                FROM {creators} c0 LEFT JOIN (
                    SELECT creator_id, SUM(value) AS total FROM {metrics}
                    WHERE metric = %s AND date BETWEEN %s AND %s GROUP BY creator_id
                ) s ON s.creator_id = c0.id
                WHERE c.id = c0.id AND c.gmv_30d <> LEAST(COALESCE(s.total, 0), {GMV_MAX})
                """,
                [Metric.GMV.value, first, last],
            )
        else:
            # A few creators: their rows through the (creator, metric, date) index.
            cursor.execute(
                f"""
                UPDATE {creators} c SET gmv_30d = s.total
                FROM (
                    SELECT a.id, LEAST(COALESCE(SUM(m.value), 0), {GMV_MAX}) AS total
                    FROM unnest(%s::bigint[]) AS a(id)
                    LEFT JOIN {metrics} m ON m.creator_id = a.id AND m.metric = %s
                        AND m.date BETWEEN %s AND %s
                    GROUP BY a.id
                ) s
                WHERE c.id = s.id AND c.gmv_30d <> s.total
                """,
                [ids, Metric.GMV.value, first, last],
            )
        return max(cursor.rowcount, 0)
