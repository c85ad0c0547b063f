import hashlib
import json
from collections.abc import Iterable
from typing import Any, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum

from campaigns import whatsapp_window
from campaigns.fanout import reachable_condition
from campaigns.models import Campaign, CampaignFiring, Delivery, FanoutSkip, TriggerMatch
from campaigns.rendering import SAMPLE_CREATOR, creator_context_build
from creators.holdout import program_holdout_condition
from creators.models import CONSENT_FIELDS, Channel, Creator
from segments.models import Segment
from segments.selectors import segment_creators


def campaign_delivery_counts(
    *, campaign: Campaign, run: int | None = None
) -> dict[str, dict[str, int]]:
    """Deliveries per channel and state for a run (the latest by default; every run of a
    triggered campaign, each of whose runs is one batch of events)."""
    counts: dict[str, dict[str, int]] = {channel: {} for channel in campaign.channels}
    rows = (
        _run_deliveries(campaign, run)
        .values("channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["channel"], {})[row["status"]] = row["n"]
    return counts


def _run_deliveries(campaign: Campaign, run: int | None) -> QuerySet[Delivery]:
    """The deliveries of a run (None: the latest, or all of a triggered campaign's)."""
    if run is None and campaign.trigger:
        return Delivery.objects.filter(campaign=campaign)
    return Delivery.objects.filter(campaign=campaign, run=campaign.last_run if run is None else run)


def trigger_outcome_counts(*, campaign: Campaign) -> dict[str, int]:
    """A triggered campaign's matched events by outcome (TriggerMatch.Outcome), plus
    `matched`, their total."""
    counts = {
        row["outcome"]: row["n"]
        for row in TriggerMatch.objects.filter(campaign=campaign)
        .values("outcome")
        .annotate(n=Count("id"))
        .order_by()
    }
    return {"matched": sum(counts.values()), **counts}


def deliveries_needing_attention(*, campaign: Campaign):
    """Deliveries ops must look at: `unknown` (a worker died mid-send) and failed ones."""
    return Delivery.objects.filter(
        campaign=campaign, status__in=[Delivery.Status.UNKNOWN, Delivery.Status.FAILED]
    ).select_related("creator")


class RunProgress(TypedDict):
    sent: int
    failed: int
    remaining: int
    unknown: int
    cancelled: int
    by_status: dict[str, int]
    total: int
    done: int


def campaign_progress(*, campaign: Campaign) -> RunProgress:
    """The current run's deliveries per status (one grouped query), with the totals a progress
    bar needs: sent, failed, remaining (pending or in flight), unknown, cancelled, total."""
    counts: dict[str, int] = {}
    for row in _run_deliveries(campaign, None).values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    status = Delivery.Status
    remaining = sum(
        counts.get(name, 0) for name in (status.PENDING, status.CLAIMED, status.SENDING)
    )
    total = sum(counts.values())
    return {
        "sent": counts.get(status.SENT, 0),
        "failed": counts.get(status.FAILED, 0),
        "remaining": remaining,
        "unknown": counts.get(status.UNKNOWN, 0),
        "cancelled": counts.get(status.CANCELLED, 0),
        "by_status": counts,
        "total": total,
        "done": total - remaining,
    }


def campaign_list_progress(*, campaigns: Iterable[Campaign]) -> dict[int, dict[str, int]]:
    """Progress of the listed campaigns that are sending or paused, in one grouped query.

    Finished campaigns are left out: counting a million-delivery run per listed campaign on
    every list view costs seconds, and their campaign page has the figures."""
    active = (Campaign.Status.SENDING, Campaign.Status.PAUSED)
    runs = {
        campaign.pk: campaign.last_run
        for campaign in campaigns
        if campaign.last_run and campaign.status in active
    }
    out: dict[int, dict[str, int]] = {}
    if not runs:
        return out
    rows = (
        Delivery.objects.filter(campaign_id__in=runs)
        .values("campaign_id", "run", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if runs[row["campaign_id"]] != row["run"]:
            continue
        figures = out.setdefault(row["campaign_id"], {"total": 0, "done": 0})
        figures["total"] += row["n"]
        if row["status"] not in OPEN_STATUSES:
            figures["done"] += row["n"]
    return out


OPEN_STATUSES = (Delivery.Status.PENDING, Delivery.Status.CLAIMED, Delivery.Status.SENDING)


def campaign_list_get(*, status: str = "") -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("segment", "owner")
    if status:
        campaigns = campaigns.filter(status=status)
    return campaigns.order_by("-created_at", "-pk")


def campaigns_awaiting_approval() -> QuerySet[Campaign]:
    return Campaign.objects.filter(
        approval_status=Campaign.Approval.PENDING, status=Campaign.Status.DRAFT
    ).select_related("segment", "owner", "approval_requested_by")


def campaign_deliveries_get(
    *, campaign: Campaign, status: str = "", channel: str = "", error_code: str = ""
) -> QuerySet[Delivery]:
    """The current run's deliveries, filtered, newest first."""
    deliveries = Delivery.objects.filter(campaign=campaign, run=campaign.last_run)
    if status:
        deliveries = deliveries.filter(status=status)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    if error_code:
        deliveries = deliveries.filter(error_code=error_code)
    return deliveries.select_related("creator").order_by("-id")


def campaign_deliveries_count_known(
    *,
    campaign: Campaign,
    progress: RunProgress,
    status: str = "",
    channel: str = "",
    error_code: str = "",
) -> int | None:
    """How many deliveries `campaign_deliveries_get` returns with these filters, read from
    the run's `campaign_progress` when it says (no filter, or only a status), so the page's
    paginator runs no second COUNT over a million-delivery run; None when it does not
    (a channel or error filter, or a triggered campaign, whose progress spans every run)."""
    if campaign.trigger or channel or error_code:
        return None
    return progress["by_status"].get(status, 0) if status else progress["total"]


def segment_reachable_counts(*, segment: Segment) -> dict[str, int]:
    """The segment's size and, per channel, how many of its creators fan-out would create a
    delivery for (consent granted, an address, not suppressed), and of those reachable on
    WhatsApp how many are inside their 24-hour window now (`whatsapp_in_window`) and
    outside it (`whatsapp_outside_window`), and how many are in the program-wide holdout
    (`program_holdout`: marketing fan-outs leave them out): one query.

    Each channel's condition (fan-out's `reachable_condition`, the one definition) is
    evaluated once per creator in a subquery (`OFFSET 0` keeps PostgreSQL from inlining it
    back into every FILTER that reads it: WhatsApp's would run three times), and JIT is off
    for the statement: compiling it costs more than it saves on a count (docs/segments.md).
    Pages load it lazily and through `segment_reachable_counts_cached`."""
    # The segment's own rows (every column the conditions may read), not `id IN (segment)`:
    # that joined a million-row table to itself.
    audience_sql, params = (
        segment_creators(segment)
        .order_by()
        .values(*(field.attname for field in Creator._meta.concrete_fields))
        .query.sql_with_params()
    )
    channels = list(CONSENT_FIELDS)
    flags = ", ".join(
        [
            "c.whatsapp_window_open_until",
            f"({program_holdout_condition('c')}) AS held_out",
            *(f"({reachable_condition(channel)}) AS reach_{channel}" for channel in channels),
        ]
    )
    window_columns, window_params = whatsapp_window.count_columns_sql(
        f"c.reach_{Channel.WHATSAPP.value}"
    )
    columns = ", ".join(
        [
            "COUNT(*) FILTER (WHERE c.held_out)",
            *(f"COUNT(*) FILTER (WHERE c.reach_{channel})" for channel in channels),
            *window_columns,
        ]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            f"SELECT COUNT(*), {columns} FROM (SELECT {flags} FROM ({audience_sql}) c OFFSET 0) c",
            [*window_params, *params],
        )
        row = cursor.fetchone()
    return {
        "total": row[0],
        "program_holdout": row[1],
        **{str(channel): n for channel, n in zip(channels, row[2:-2], strict=True)},
        "whatsapp_in_window": row[-2],
        "whatsapp_outside_window": row[-1],
    }


def _reachable_counts_key(segment: Segment) -> str:
    """The cache key of a segment's counts: its id, and what its counts depend on besides
    the creators: its rules, when it was last saved (a static list's members bump it) and
    the program holdout's share."""
    what = json.dumps(
        [segment.rules, segment.updated_at.isoformat(), program_holdout_condition("c")],
        sort_keys=True,
        default=str,
    )
    return f"campaigns:reachable:{segment.pk}:{hashlib.sha256(what.encode()).hexdigest()[:16]}"


def segment_reachable_counts_cached(*, segment: Segment) -> dict[str, int]:
    """`segment_reachable_counts`, reused for REACH_COUNT_CACHE_SECONDS: editing the
    segment (its rules, its members, `updated_at`) counts afresh."""
    key = _reachable_counts_key(segment)
    counts = cache.get(key)
    if counts is None:
        counts = segment_reachable_counts(segment=segment)
        cache.set(key, counts, settings.REACH_COUNT_CACHE_SECONDS)
    return counts


def segment_reachable_counts_if_cached(*, segment: Segment | None) -> dict[str, int] | None:
    """The segment's counts if they are in the cache (a page shows them at once), else None
    (the page loads them with htmx from the counts fragment)."""
    if segment is None:
        return None
    return cache.get(_reachable_counts_key(segment))


def campaign_sample_creator(*, campaign: Campaign) -> dict[str, Any]:
    """A creator of the campaign's segment to preview messages with (the built-in sample
    creator when the segment is empty or not chosen yet)."""
    creator = None
    if campaign.segment is not None:
        creator = segment_creators(campaign.segment).order_by("pk").first()
    if creator is None:
        return creator_context_build(SAMPLE_CREATOR)
    return creator_context_build(creator)


def preview_creator_get(*, handle: str) -> dict[str, Any] | None:
    """The creator a preview renders for, picked by handle (any creator: ops may check how a
    message reads for someone before they are in the segment). None when there is none."""
    handle = handle.strip().lstrip("@")
    if not handle:
        return None
    creator = Creator.objects.filter(handle__iexact=handle).first()
    return creator_context_build(creator) if creator is not None else None


def preview_creator_handles(*, campaign: Campaign, query: str, limit: int = 10) -> list[str]:
    """Handles starting with `query` for the preview's creator search: the segment's first,
    then any creator."""
    query = query.strip().lstrip("@")
    if not query:
        return []
    found: list[str] = []
    sources: list[QuerySet[Creator]] = []
    if campaign.segment is not None:
        sources.append(segment_creators(campaign.segment))
    sources.append(Creator.objects.all())
    for source in sources:
        rows = (
            source.filter(handle__istartswith=query)
            .order_by("handle")
            .values_list("handle", flat=True)[:limit]
        )
        found += [handle for handle in rows if handle not in found]
        if len(found) >= limit:
            break
    return found[:limit]


def creator_deliveries_get(*, creator: Creator) -> QuerySet[Delivery]:
    """Every message sent (or to be sent) to the creator, newest first, with its campaign."""
    return (
        Delivery.objects.filter(creator=creator)
        .select_related("campaign")
        .only(
            "id",
            "channel",
            "status",
            "sent_at",
            "created_at",
            "first_delivered_at",
            "first_opened_at",
            "first_clicked_at",
            "error_message",
            "campaign__id",
            "campaign__name",
        )
        .order_by("-created_at", "-id")
    )


def campaign_skips_get(*, campaign: Campaign) -> list[FanoutSkip]:
    """How many creators the last run's fan-out left out, per channel and reason (for a
    triggered campaign, every run's, summed per channel and reason into unsaved rows)."""
    if not campaign.trigger:
        return list(
            FanoutSkip.objects.filter(
                campaign=campaign, run=campaign.last_run, count__gt=0
            ).order_by("channel", "reason")
        )
    return [
        FanoutSkip(
            campaign=campaign,
            run=0,
            channel=row["channel"],
            reason=row["reason"],
            count=row["total"],
        )
        for row in FanoutSkip.objects.filter(campaign=campaign, count__gt=0)
        .values("channel", "reason")
        .annotate(total=Sum("count"))
        .order_by("channel", "reason")
    ]


def campaign_firings_get(*, campaign: Campaign, limit: int = 50) -> QuerySet[CampaignFiring]:
    """The campaign's latest schedule firings and what came of each, newest first."""
    return CampaignFiring.objects.filter(campaign=campaign).order_by("-fired_at", "-id")[:limit]
