"""Education to outcome (docs/outcomes.md): for a lesson or a learning path, the creators who
completed it, who started but did not finish, who only opened it, and who were not reached,
with their metric over the window before and after — correlational: creators chose to take
the lesson, so a difference between groups is not the lesson's effect. A campaign that sent
the lesson with a holdout has a causal outcome on its stats page.

Each creator's day 0: when they completed it (the path: their last item), else when they
started (or first opened) it; for creators not reached, the first day anyone opened it (else
the window before today). One SQL statement, sums per group as for campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from creators.models import Creator
from education.models import ContentItem, LearningPath, LearningProgress
from outcomes.estimator import ArmSums, Effect
from outcomes.selectors import outcome_arguments_check, outcome_session_tune
from programs.models import CreatorMetric, Metric

GROUPS = ("completed", "started", "visited", "not_reached")

EDUCATION_SQL = f"""
WITH progress AS (
    SELECT p.creator_id,
           COUNT(p.completed_at) AS done,
           MAX(p.completed_at) AS last_done,
           BOOL_OR(p.started_at IS NOT NULL) AS started,
           MIN(COALESCE(p.started_at, p.visited_at)) AS first_seen
    FROM {LearningProgress._meta.db_table} p
    WHERE p.item_id = ANY(%(items)s)
    GROUP BY p.creator_id
),
reference AS (SELECT COALESCE(MIN(first_seen), %(fallback)s) AS at FROM progress),
units AS (
    SELECT c.id AS creator_id,
           CASE WHEN p.done >= %(steps)s THEN 'completed' WHEN p.started THEN 'started'
                WHEN p.creator_id IS NOT NULL THEN 'visited' ELSE 'not_reached' END AS grp,
           (COALESCE(CASE WHEN p.done >= %(steps)s THEN p.last_done END, p.first_seen, r.at)
            AT TIME ZONE %(tz)s)::date AS day0
    FROM {Creator._meta.db_table} c LEFT JOIN progress p ON p.creator_id = c.id, reference r
),
per AS (
    SELECT u.grp,
           COALESCE(SUM(m.value::float8) FILTER (WHERE m.date < u.day0), 0) AS x,
           COALESCE(SUM(m.value::float8) FILTER (WHERE m.date >= u.day0), 0) AS y
    FROM units u
    LEFT JOIN {CreatorMetric._meta.db_table} m
      ON m.creator_id = u.creator_id AND m.metric = %(metric)s
     AND m.date >= u.day0 - %(window)s AND m.date < u.day0 + %(window)s
    GROUP BY u.creator_id, u.grp
)
SELECT grp, COUNT(*), SUM(x), SUM(y), SUM(x * x), SUM(y * y), SUM(x * y) FROM per GROUP BY grp
"""


@dataclass(frozen=True)
class EducationGroup:
    group: str
    creators: int
    mean_before: float
    mean_after: float
    change: Effect | None  # mean of after − before, with its 95% interval (None: < 2 creators)


def _change(sums: ArmSums) -> Effect | None:
    if sums.n < 2:
        return None
    spread = max(sums.cyy - 2 * sums.cxy + sums.cxx, 0.0)
    return Effect.normal(sums.mean_y() - sums.mean_x(), spread / (sums.n - 1) / sums.n)


def education_outcome_compute(
    *, items: list[int], metric: str, window_days: int
) -> list[EducationGroup]:
    """The groups of creators for these items (all of them completed: the path is done)."""
    outcome_arguments_check(metric=metric, window_days=window_days)
    with transaction.atomic(), connection.cursor() as cursor:
        outcome_session_tune(cursor)
        cursor.execute(
            EDUCATION_SQL,
            {
                "items": items,
                "steps": len(items),
                "fallback": timezone.now() - timedelta(days=window_days),
                "metric": metric,
                "window": window_days,
                "tz": settings.TIME_ZONE,
            },
        )
        found = {
            grp: ArmSums(n, float(sx), float(sy), float(sxx), float(syy), float(sxy))
            for grp, n, sx, sy, sxx, syy, sxy in cursor.fetchall()
        }
    return [
        EducationGroup(
            group=group,
            creators=sums.n,
            mean_before=sums.mean_x(),
            mean_after=sums.mean_y(),
            change=_change(sums),
        )
        for group in GROUPS
        for sums in [found.get(group, ArmSums())]
    ]


def education_outcome_get(
    *, subject: ContentItem | LearningPath, metric: str = Metric.GMV, window_days: int = 14
) -> list[EducationGroup]:
    """Cached like a campaign's outcome (settings.OUTCOME_CACHE_SECONDS)."""
    if isinstance(subject, LearningPath):
        items = list(subject.steps.values_list("item_id", flat=True))
    else:
        items = [subject.pk]
    key = f"outcome:education:{type(subject).__name__}:{subject.pk}:{metric}:{window_days}"
    groups = cache.get(key)
    if groups is None:
        groups = education_outcome_compute(items=items, metric=metric, window_days=window_days)
        cache.set(key, groups, settings.OUTCOME_CACHE_SECONDS)
    return groups
