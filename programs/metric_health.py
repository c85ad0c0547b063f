"""The metric health page's figures (docs/metrics.md): per metric, the last import that
brought it, the rows and rejects of that import, and the days of the recent past with no
value at all (gaps), each day probed through the (metric, date) index."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from programs.metric_import import metric_problems_shown
from programs.models import CreatorMetric, Metric, MetricImport

GAP_DAYS = 60


@dataclass
class MetricHealth:
    metric: str
    label: str
    last_import: MetricImport | None
    rows: int  # of this metric in the last import that brought it
    days_with_data: int
    gaps: list[date] = field(default_factory=list)

    @property
    def gap_ranges(self) -> list[tuple[date, date]]:
        """The gaps as runs of consecutive days, oldest first."""
        ranges: list[tuple[date, date]] = []
        for day in self.gaps:
            if ranges and ranges[-1][1] + timedelta(days=1) == day:
                ranges[-1] = (ranges[-1][0], day)
            else:
                ranges.append((day, day))
        return ranges


def metric_health_get(*, days: int = GAP_DAYS, today: date | None = None) -> list[MetricHealth]:
    """One entry per metric, over the `days` days ending yesterday (today's values usually
    arrive tomorrow, so today is not a gap yet)."""
    last = (today or timezone.localdate()) - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT m.metric, d.day::date,
                   EXISTS (SELECT 1 FROM {CreatorMetric._meta.db_table} x
                           WHERE x.metric = m.metric AND x.date = d.day::date)
            FROM unnest(%s::text[]) AS m(metric)
            CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') AS d(day)
            ORDER BY 1, 2
            """,
            [list(Metric.values), first, last],
        )
        probes = cursor.fetchall()
    health = []
    for metric in Metric:
        days_seen = [(day, present) for name, day, present in probes if name == metric.value]
        latest = (
            MetricImport.objects.filter(metrics__has_key=metric.value)
            .select_related("actor")
            .order_by("-at", "-pk")
            .first()
        )
        health.append(
            MetricHealth(
                metric=metric.value,
                label=str(metric.label),
                last_import=latest,
                rows=int(latest.metrics[metric.value]["rows"]) if latest else 0,
                days_with_data=sum(1 for _day, present in days_seen if present),
                gaps=[day for day, present in days_seen if not present],
            )
        )
    return health


def metric_imports_recent(*, limit: int = 20) -> list[dict[str, Any]]:
    """The latest imports with their problems as sentences in the active language."""
    imports = MetricImport.objects.select_related("actor").order_by("-at", "-pk")[:limit]
    return [
        {"record": record, "problems": metric_problems_shown(record.problems[:20])}
        for record in imports
    ]
