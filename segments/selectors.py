"""Read-only queries over segments: who is in a segment, how many, and a few of them."""

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from creators.geo import STATE_CHOICES
from creators.models import Creator
from segments.exceptions import SegmentRulesInvalid
from segments.models import Segment, SegmentMember
from segments.rules import rules_compile


def segment_get(*, segment_id: int) -> Segment:
    return Segment.objects.get(pk=segment_id)


def segment_creators(segment: Segment, *, now: datetime | None = None) -> QuerySet[Creator]:
    """The segment's creators as ONE unordered queryset over Creator.

    Callers may filter it further, count it, or use `.values("pk")` in an INSERT ... SELECT: a
    dynamic segment is its rule tree compiled to a WHERE clause, a static one is
    `id IN (SELECT creator_id FROM segment members)`. `now` anchors `within_days` rules.
    """
    if segment.kind == Segment.Kind.STATIC:
        members = SegmentMember.objects.filter(segment_id=segment.pk).values("creator_id")
        return Creator.objects.filter(pk__in=members).order_by()
    return Creator.objects.filter(rules_compile(segment.rules, now=now, lenient=True)).order_by()


def segment_count(segment: Segment, *, now: datetime | None = None) -> int:
    """How many creators the segment holds, counted with PostgreSQL's JIT off.

    A behaviour segment's plan is costed high (a subquery per creator) though it runs in
    about 100 ms, so JIT compiles it, and compiling cost 150-400 ms per count at 1M creators
    (issue 19, docs/segments.md). The setting is the transaction's and restored after, so a
    caller's transaction keeps its own.
    """
    creators = segment_creators(segment, now=now)
    if connection.vendor != "postgresql":
        return creators.count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        previous = cursor.fetchone()[0]
        try:
            return creators.count()
        finally:
            cursor.execute("SELECT set_config('jit', %s, true)", [previous])


def _sample_walk(creators: QuerySet[Creator, Any], n: int) -> list[Any]:
    """Up to `n` rows of `creators` (already narrowed with values/values_list), walking ids
    from a random starting id."""
    if n <= 0:
        return []
    bounds = Creator.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    start = random.randint(bounds["low"], bounds["high"])
    creators = creators.order_by("pk")
    rows = list(creators.filter(pk__gte=start)[:n])
    if len(rows) < n:
        rows += creators.filter(pk__lt=start)[: n - len(rows)]
    return rows


def segment_sample(segment: Segment, n: int = 10, *, now: datetime | None = None) -> list[str]:
    """Up to `n` handles of the segment, walking creator ids from a random starting id.

    The walk follows the primary-key index and stops after `n` matches, so it stays cheap for
    large segments, where ORDER BY random() would sort the whole segment.
    """
    creators = segment_creators(segment, now=now).values_list("handle", flat=True)
    return sorted(_sample_walk(creators, n))


SAMPLE_FIELDS = ("handle", "name", "state", "level")


def segment_sample_rows(
    segment: Segment, n: int = 10, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Like segment_sample, but rows of handle, name, state (and its name) and level."""
    creators = segment_creators(segment, now=now).values(*SAMPLE_FIELDS)
    rows = sorted(_sample_walk(creators, n), key=lambda row: row["handle"])
    state_names = dict(STATE_CHOICES)
    for row in rows:
        row["state_name"] = state_names.get(row["state"], row["state"])
    return rows


@dataclass(frozen=True)
class SegmentPreview:
    count: int
    sample: list[dict[str, Any]]


def segment_preview(
    *, segment: Segment, sample_size: int = 10, now: datetime | None = None
) -> SegmentPreview:
    """Count and sample of a segment, saved or not; bad rules raise SegmentRulesInvalid."""
    now = now or timezone.now()
    return SegmentPreview(
        count=segment_count(segment, now=now),
        sample=segment_sample_rows(segment, sample_size, now=now),
    )


COUNT_CACHE_SECONDS = 300


@dataclass(frozen=True)
class CachedCount:
    """A segment's count, or the error that stopped it, and when it was counted."""

    count: int | None
    counted_at: datetime
    error: str = ""


def segment_count_cached(*, segment: Segment) -> CachedCount:
    """The segment's count, reused for up to COUNT_CACHE_SECONDS; saving the segment
    (a new `updated_at`) starts afresh."""
    key = f"segments:count:{segment.pk}:{segment.updated_at.timestamp()}"
    cached = cache.get(key)
    if cached is not None:
        return CachedCount(**cached)
    try:
        result = CachedCount(count=segment_count(segment), counted_at=timezone.now())
    except SegmentRulesInvalid as error:  # rules saved before a field was removed
        result = CachedCount(count=None, counted_at=timezone.now(), error=str(error))
    cache.set(key, result.__dict__, COUNT_CACHE_SECONDS)
    return result


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.select_related("created_by").order_by("name", "pk")


def segment_campaigns(*, segment: Segment) -> QuerySet[Any]:
    """The campaigns that send to this segment, newest first."""
    return segment.campaigns.order_by("-pk")
