"""Read-only queries over segments: who is in a segment, how many, and a few of them."""

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from creators.geo import STATE_CHOICES
from creators.models import Creator, Device
from segments.exceptions import SegmentRulesInvalid
from segments.models import Segment, SegmentMember
from segments.rules import DERIVED, FIELDS, rules_compile


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
    segment: Segment, n: int = 10, *, now: datetime | None = None, extra: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Like segment_sample, but rows of handle, name, state (and its name) and level, and
    the `extra` columns."""
    columns = list(dict.fromkeys([*SAMPLE_FIELDS, *extra]))
    creators = segment_creators(segment, now=now).values(*columns)
    rows = sorted(_sample_walk(creators, n), key=lambda row: row["handle"])
    state_names = dict(STATE_CHOICES)
    for row in rows:
        row["state_name"] = state_names.get(row["state"], row["state"])
    return rows


def rules_fields(rules: Any) -> list[str]:
    """The creator columns a rule tree tests, in the order they first appear (behaviour
    leaves and derived fields are not columns, so not listed)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            for key in ("all", "any", "not"):
                if key in node:
                    walk(node[key])
            name = node.get("field")
            if isinstance(name, str) and name in FIELDS and name not in DERIVED:
                if name not in found:
                    found.append(name)

    walk(rules)
    return found


# How each channel reaches a creator: consent granted, and an address to send to.
REACHABLE: dict[str, Q] = {
    "email": Q(consent_email="granted") & ~Q(email=""),
    "whatsapp": Q(consent_whatsapp="granted") & ~Q(phone=""),
    "push": Q(consent_push="granted") & Q(Exists(Device.objects.filter(creator=OuterRef("pk")))),
    "inbox": Q(consent_inbox="granted"),
}


def segment_reachable(segment: Segment, *, now: datetime | None = None) -> dict[str, int]:
    """How many of the segment's creators each channel can reach (consent granted and an
    address: an email, a phone, a registered device; inbox needs only consent), in one pass."""
    creators = segment_creators(segment, now=now)
    counts = creators.aggregate(
        **{channel: Count("pk", filter=condition) for channel, condition in REACHABLE.items()}
    )
    return {channel: counts[channel] or 0 for channel in REACHABLE}


@dataclass(frozen=True)
class SegmentPreview:
    count: int
    sample: list[dict[str, Any]]
    reachable: dict[str, int] | None = None
    fields: tuple[str, ...] = ()


def segment_preview(
    *,
    segment: Segment,
    sample_size: int = 10,
    now: datetime | None = None,
    reachable: bool = False,
    with_fields: bool = False,
) -> SegmentPreview:
    """Count and sample of a segment, saved or not; bad rules raise SegmentRulesInvalid.
    With `reachable`, also the count per channel; with it or `with_fields`, the sample
    carries the columns the rules test (`fields`)."""
    now = now or timezone.now()
    fields = tuple(rules_fields(segment.rules)) if segment.kind == Segment.Kind.DYNAMIC else ()
    return SegmentPreview(
        count=segment_count(segment, now=now),
        sample=segment_sample_rows(segment, sample_size, now=now, extra=fields),
        reachable=segment_reachable(segment, now=now) if reachable else None,
        fields=fields if reachable or with_fields else (),
    )


def segment_reachable_cached(segment: Segment) -> dict[str, int]:
    """`segment_reachable` of a saved segment, reused for REACH_COUNT_CACHE_SECONDS: at a
    million creators the count reads every one of them. Saving the segment counts afresh."""
    key = f"segment-reach:{segment.pk}:{segment.updated_at.timestamp()}"
    counts = cache.get(key)
    if counts is None:
        counts = segment_reachable(segment)
        cache.set(key, counts, settings.REACH_COUNT_CACHE_SECONDS)
    return counts


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
