"""Demo metrics: the demo creators' GMV of the last 30 days as daily `gmv` rows, so the
cached `gmv_30d` is derived from metrics as everywhere else (docs/metrics.md)."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from creators.models import Creator
from programs.gmv import gmv_30d_refresh
from programs.models import CreatorMetric, Metric


@transaction.atomic
def creator_metrics_demo_create() -> int:
    """Split each creator's demo gmv_30d (with no gmv rows yet) over ten days of the last 30,
    staggered by creator so every day has data; returns the rows written. Then gmv_30d is
    refreshed from them, which gives back the same figures."""
    metrics, creators = CreatorMetric._meta.db_table, Creator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {metrics} (creator_id, date, metric, value)
            SELECT c.id, %s::date - (3 * k + c.id %% 3)::int, %s,
                   CASE WHEN k = 0 THEN c.gmv_30d - 9 * trunc(c.gmv_30d / 10, 2)
                        ELSE trunc(c.gmv_30d / 10, 2) END
            FROM {creators} c CROSS JOIN generate_series(0, 9) AS k
            WHERE c.gmv_30d > 0 AND NOT EXISTS (
                SELECT 1 FROM {metrics} m WHERE m.creator_id = c.id AND m.metric = %s)
            ON CONFLICT DO NOTHING
            """,
            [timezone.localdate(), Metric.GMV.value, Metric.GMV.value],
        )
        written = max(cursor.rowcount, 0)
    gmv_30d_refresh()
    return written
