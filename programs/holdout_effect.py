"""The program's cumulative incremental effect, measured against the program-wide holdout
(creators/holdout.py, docs/metrics.md "Program-wide holdout").

Per calendar month (in TIME_ZONE) and metric, each creator's total of the metric that month
(0 with no rows); the effect is the mean of everyone else minus the mean of the holdout,
with Welch's standard error and a normal 95% interval (tracking.significance.uplift_welch).
"Cumulative" does the same with each creator's total from the first month shown (or
PROGRAM_HOLDOUT_SINCE) through that month, so it says how much more the program's creators
made per head since the holdout began; times the creators outside the holdout, the program
total. The population is the creators there are now, assigned by the current share.

Two grouped SQL statements per metric; the result is cached for CACHE_SECONDS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date

from creators.holdout import program_holdout_condition, program_holdout_share
from creators.models import Creator
from programs.models import CreatorMetric, Metric, MetricImport
from tracking.significance import Uplift, uplift_welch

MONTHS = 12
CACHE_SECONDS = 3600
# Below this many creators in the holdout the page says it cannot tell yet.
MIN_HOLDOUT = 100


@dataclass(frozen=True)
class MonthEffect:
    month: date
    monthly: Uplift | None
    cumulative: Uplift | None
    mean_rest: float
    mean_holdout: float
    cumulative_total: float | None  # cumulative effect per creator × creators outside

    @property
    def significant(self) -> bool:
        interval = self.cumulative.interval if self.cumulative else None
        return interval is not None and (interval.low > 0 or interval.high < 0)


@dataclass(frozen=True)
class HoldoutEffect:
    metric: str
    share: float
    holdout: int
    rest: int
    months: list[MonthEffect]

    @property
    def too_small(self) -> bool:
        return self.holdout < MIN_HOLDOUT


def _month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _first_month(today: date) -> date:
    first = _month_add(today.replace(day=1), -(MONTHS - 1))
    try:
        since = parse_date(str(settings.PROGRAM_HOLDOUT_SINCE or ""))
    except ValueError:  # well formed, no such day: counted from the months shown
        since = None
    if since is not None and since.replace(day=1) > first:
        first = since.replace(day=1)
    return first


def program_holdout_effect_get(
    *, metric: str = Metric.GMV, today: date | None = None
) -> HoldoutEffect | None:
    """The effect per month for `metric`, or None when the program-wide holdout is off."""
    share = program_holdout_share()
    if share <= 0 or metric not in Metric.values:
        return None
    today = today or timezone.localdate()
    key = ":".join(
        str(part)
        for part in (
            "altavoz:holdout-effect",
            metric,
            share,
            today.isoformat(),
            settings.PROGRAM_HOLDOUT_SINCE,
            *_data_version(),
        )
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    effect = _compute(metric=metric, share=share, today=today)
    cache.set(key, effect, CACHE_SECONDS)
    return effect


def _data_version() -> tuple[int, int, int]:
    """Changes whenever metrics or creators are added or imported: part of the cache key, so
    a cached figure never outlives the data it was computed from (index lookups only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {CreatorMetric._meta.db_table}),"
            f" (SELECT MAX(id) FROM {MetricImport._meta.db_table}),"
            f" (SELECT MAX(id) FROM {Creator._meta.db_table})"
        )
        row = cursor.fetchone()
    return (row[0] or 0, row[1] or 0, row[2] or 0)


def _stats(
    rows: list[tuple], counts: dict[bool, int]
) -> dict[tuple[date, bool], tuple[float, float]]:
    """(month, held) → (mean, variance) over every creator of the group (zeros included)."""
    out = {}
    for month, held, total, squares in rows:
        n = counts.get(held, 0)
        if n < 1:
            continue
        mean = float(total) / n
        variance = max((float(squares) - n * mean * mean) / (n - 1), 0.0) if n > 1 else 0.0
        out[(month, held)] = (mean, variance)
    return out


def _compute(*, metric: str, share: float, today: date) -> HoldoutEffect:
    first = _first_month(today)
    end = _month_add(today.replace(day=1), 1)
    held = program_holdout_condition("c")
    creators, metrics = Creator._meta.db_table, CreatorMetric._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {held}, COUNT(*) FROM {creators} c GROUP BY 1")
        counts = {bool(flag): n for flag, n in cursor.fetchall()}
        # Per creator and month; then per month and group, the monthly and the cumulative
        # totals' sums and sums of squares (a creator with no rows adds 0 to both).
        cursor.execute(
            f"""
            WITH per AS (
                SELECT m.creator_id, date_trunc('month', m.date)::date AS month,
                       SUM(m.value)::float8 AS total
                FROM {metrics} m
                WHERE m.metric = %s AND m.date >= %s AND m.date < %s
                GROUP BY 1, 2
            ),
            months AS (
                SELECT generate_series(%s::date, %s::date, interval '1 month')::date AS month
            ),
            cum AS (
                SELECT p.creator_id, mo.month,
                       SUM(p.total) FILTER (WHERE p.month = mo.month) AS monthly,
                       SUM(p.total) AS cumulative
                FROM per p JOIN months mo ON p.month <= mo.month
                GROUP BY 1, 2
            )
            SELECT cum.month, {held} AS held,
                   COALESCE(SUM(monthly), 0), COALESCE(SUM(monthly * monthly), 0),
                   SUM(cumulative), SUM(cumulative * cumulative)
            FROM cum JOIN {creators} c ON c.id = cum.creator_id
            GROUP BY 1, 2
            """,
            [metric, first, end, first, _month_add(end, -1)],
        )
        rows = cursor.fetchall()
    monthly = _stats([(r[0], bool(r[1]), r[2], r[3]) for r in rows], counts)
    cumulative = _stats([(r[0], bool(r[1]), r[4], r[5]) for r in rows], counts)
    n_holdout, n_rest = counts.get(True, 0), counts.get(False, 0)
    months = []
    month = first
    while month < end:

        def compare(stats: dict, month: date = month) -> Uplift | None:
            rest = stats.get((month, False), (0.0, 0.0))
            hold = stats.get((month, True), (0.0, 0.0))
            return uplift_welch(
                mean_sent=rest[0],
                var_sent=rest[1],
                n_sent=n_rest,
                mean_holdout=hold[0],
                var_holdout=hold[1],
                n_holdout=n_holdout,
            )

        cumulative_effect = compare(cumulative)
        months.append(
            MonthEffect(
                month=month,
                monthly=compare(monthly),
                cumulative=cumulative_effect,
                mean_rest=monthly.get((month, False), (0.0, 0.0))[0],
                mean_holdout=monthly.get((month, True), (0.0, 0.0))[0],
                cumulative_total=cumulative_effect.difference * n_rest
                if cumulative_effect
                else None,
            )
        )
        month = _month_add(month, 1)
    return HoldoutEffect(metric=metric, share=share, holdout=n_holdout, rest=n_rest, months=months)
