"""Delivery-state counts for the campaign pages: targeted, sent and refused per channel,
language and variant, and refusals per error code.

Counting a million deliveries takes about 200 ms, too slow for a page view, so:
- a finished campaign's counts are taken once and kept (`DeliveryCountsSnapshot`), valid
  while its `finished_at` is unchanged; a re-send reopens the campaign (and the next finish
  takes a new snapshot), and a late provider verdict on an `unknown` delivery drops it;
- a sending campaign's counts are cached for `TRACKING_DELIVERY_COUNTS_TTL` seconds;
- the `tracking.tasks.delivery_counts_warm` beat task refreshes both ahead of page views.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.utils import timezone

from campaigns.models import Campaign, Delivery
from tracking.models import DeliveryCountsSnapshot


def _delivery_counts_key(campaign_id: int) -> str:
    return f"altavoz:tracking:delivery-counts:{campaign_id}"


def _delivery_counts_count(campaign_id: int) -> dict[str, Any]:
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT channel, locale, status, CASE WHEN status = 'failed' THEN error_code "
            f"ELSE '' END, run, COUNT(*) FROM {table} WHERE campaign_id = %s "
            "GROUP BY 1, 2, 3, 4, 5",
            [campaign_id],
        )
        rows = cursor.fetchall()
    counts: dict[str, dict[str, int]] = {}
    refusals: dict[str, int] = defaultdict(int)
    # Per run and status (JSON keys: strings), for what policies kept back in the last run.
    statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for channel, locale, status, code, run, number in rows:
        statuses[str(run)][status] += number
        entry = counts.setdefault(f"{channel}|{locale}|", {"targeted": 0, "sent": 0, "refused": 0})
        entry["targeted"] += number
        if status == Delivery.Status.SENT:
            entry["sent"] += number
        elif status == Delivery.Status.FAILED:
            entry["refused"] += number
            refusals[f"{channel}|{code}"] += number
    return {
        "counts": counts,
        "refusals": dict(refusals),
        "statuses": {run: dict(by_status) for run, by_status in statuses.items()},
    }


def delivery_counts_get(*, campaign: Campaign) -> dict[str, Any]:
    """Deliveries per (channel, language, variant): targeted, sent, refused; and refusals
    per (channel, error code).

    A finished campaign's counts come from its snapshot (taken by the
    `delivery_counts_warm` task, or here on a miss); a running one's from one grouped
    query, cached for `TRACKING_DELIVERY_COUNTS_TTL` seconds and kept warm by that task."""
    finished_at = campaign.finished_at if campaign.status == Campaign.Status.SENT else None
    if finished_at is not None:
        snapshot = DeliveryCountsSnapshot.objects.filter(
            campaign_id=campaign.pk, finished_at=finished_at
        ).first()
        if snapshot is not None and "statuses" in snapshot.counts:
            return snapshot.counts
        return delivery_counts_snapshot_take(campaign=campaign)
    key = _delivery_counts_key(campaign.pk)
    ttl = settings.TRACKING_DELIVERY_COUNTS_TTL
    cached = cache.get(key) if ttl > 0 else None
    if cached is not None:
        return cached
    result = _delivery_counts_count(campaign.pk)
    if ttl > 0:
        cache.set(key, result, ttl)
    return result


def delivery_counts_snapshot_take(*, campaign: Campaign) -> dict[str, Any]:
    """Count a finished campaign's deliveries once and keep the result."""
    assert campaign.finished_at is not None, "only a finished campaign has a snapshot"
    result = _delivery_counts_count(campaign.pk)
    DeliveryCountsSnapshot.objects.update_or_create(
        campaign_id=campaign.pk,
        defaults={
            "finished_at": campaign.finished_at,
            "counts": result,
            "computed_at": timezone.now(),
        },
    )
    return result


def delivery_counts_warm(*, limit: int = 20) -> int:
    """Keep the campaign pages' delivery counts ready: refresh the cache of every sending
    campaign and snapshot finished campaigns that have none for their last finish."""
    done = 0
    ttl = settings.TRACKING_DELIVERY_COUNTS_TTL
    if ttl > 0:
        for campaign_id in Campaign.objects.filter(status=Campaign.Status.SENDING).values_list(
            "pk", flat=True
        )[:limit]:
            cache.set(_delivery_counts_key(campaign_id), _delivery_counts_count(campaign_id), ttl)
            done += 1
    stale = (
        Campaign.objects.filter(status=Campaign.Status.SENT, finished_at__isnull=False)
        .exclude(delivery_counts_snapshot__finished_at=F("finished_at"))
        .order_by("-finished_at")[:limit]
    )
    for campaign in stale:
        delivery_counts_snapshot_take(campaign=campaign)
        done += 1
    return done


def delivery_counts_snapshot_drop(*, delivery_id: int) -> None:
    """A finished campaign's delivery changed state (a late provider verdict): its snapshot
    no longer holds."""
    DeliveryCountsSnapshot.objects.filter(
        campaign_id__in=Delivery.objects.filter(pk=delivery_id).values("campaign_id")
    ).delete()
