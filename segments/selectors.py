"""Read-only queries over segments: who is in a segment, how many, and a few of them."""

import random
from datetime import datetime

from django.db.models import Max, Min, QuerySet

from creators.models import Creator
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
    return Creator.objects.filter(rules_compile(segment.rules, now=now)).order_by()


def segment_count(segment: Segment, *, now: datetime | None = None) -> int:
    return segment_creators(segment, now=now).count()


def segment_sample(segment: Segment, n: int = 10, *, now: datetime | None = None) -> list[str]:
    """Up to `n` handles of the segment, walking creator ids from a random starting id.

    The walk follows the primary-key index and stops after `n` matches, so it stays cheap for
    large segments, where ORDER BY random() would sort the whole segment.
    """
    if n <= 0:
        return []
    bounds = Creator.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    start = random.randint(bounds["low"], bounds["high"])  # noqa: S311 - not security
    creators = segment_creators(segment, now=now).order_by("pk")
    handles = list(creators.filter(pk__gte=start).values_list("handle", flat=True)[:n])
    if len(handles) < n:
        handles += creators.filter(pk__lt=start).values_list("handle", flat=True)[
            : n - len(handles)
        ]
    return sorted(handles)
