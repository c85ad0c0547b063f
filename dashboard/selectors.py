"""What the home page shows: runs in progress, upcoming schedules and the week's rates.

Each panel is a bounded number of queries whatever the number of creators: progress is one
grouped query over the deliveries of the campaigns' current runs (served by the
`delivery_unique_per_run_step` index, which leads with campaign and run), and the rates come from
`tracking.selectors`, which read the rollups.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import Campaign, Delivery
from tracking.selectors import CHANNELS, RECEIPT_CHANNELS, Figures, campaign_stats_get

Status = Campaign.Status
# A run that just ended stays on the home page a while, so its bar is seen reaching 100%.
FINISHED_SHOWN_FOR = timedelta(minutes=15)
IN_FLIGHT = (Delivery.Status.PENDING, Delivery.Status.CLAIMED, Delivery.Status.SENDING)


@dataclass
class RunProgress:
    campaign: Campaign
    sent: int = 0
    failed: int = 0
    remaining: int = 0  # pending, claimed or being sent
    unknown: int = 0  # a worker stopped mid-send; ops settle these
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.remaining + self.unknown + self.cancelled

    @property
    def percent(self) -> int:
        """Share of the run's deliveries that are settled, rounded down (100 only when done)."""
        if not self.total:
            return 0
        return (self.total - self.remaining) * 100 // self.total


def runs_in_progress_list(*, now: datetime | None = None, limit: int = 20) -> list[RunProgress]:
    """Campaigns sending (or paused mid-run) and runs finished in the last few minutes, with
    their current run's deliveries counted by state in one grouped query."""
    now = now or timezone.now()
    campaigns = list(
        Campaign.objects.filter(last_run__gt=0)
        .filter(
            Q(status__in=(Status.SENDING, Status.PAUSED))
            | Q(finished_at__gte=now - FINISHED_SHOWN_FOR)
        )
        .order_by("-launched_at", "-pk")[:limit]
    )
    if not campaigns:
        return []
    progress = {campaign.pk: RunProgress(campaign) for campaign in campaigns}
    current_runs = reduce(operator.or_, (Q(campaign_id=c.pk, run=c.last_run) for c in campaigns))
    counts = (
        Delivery.objects.filter(current_runs)
        .values_list("campaign_id", "status")
        .annotate(number=Count("id"))
        .order_by()
    )
    for campaign_id, status, number in counts:
        row = progress[campaign_id]
        if status in IN_FLIGHT:
            row.remaining += number
        elif status == Delivery.Status.SENT:
            row.sent += number
        elif status == Delivery.Status.FAILED:
            row.failed += number
        elif status == Delivery.Status.UNKNOWN:
            row.unknown += number
        else:
            row.cancelled += number
    return list(progress.values())


@dataclass
class UpcomingSend:
    campaign: Campaign
    next_at: datetime | None
    crontab: str = ""  # "minute hour day-of-month month day-of-week" for recurring ones

    @property
    def recurring(self) -> bool:
        return bool(self.crontab)


def sends_upcoming_list(*, now: datetime | None = None, limit: int = 10) -> list[UpcomingSend]:
    """Scheduled campaigns, one-off (by send time) and recurring (by next firing), soonest first."""
    now = now or timezone.now()
    campaigns = (
        Campaign.objects.filter(status=Status.SCHEDULED)
        .filter(Q(send_at__isnull=False) | Q(periodic_task__crontab__isnull=False))
        .select_related("periodic_task__crontab")
        .order_by("send_at", "pk")[: limit * 2]
    )
    upcoming = []
    for campaign in campaigns:
        task = campaign.periodic_task
        if campaign.send_at is None and task is not None and task.crontab is not None:
            crontab = task.crontab
            rule = " ".join(
                (
                    crontab.minute,
                    crontab.hour,
                    crontab.day_of_month,
                    crontab.month_of_year,
                    crontab.day_of_week,
                )
            )
            next_at = now + crontab.schedule.remaining_estimate(now) if task.enabled else None
            upcoming.append(UpcomingSend(campaign, next_at, rule))
        else:
            upcoming.append(UpcomingSend(campaign, campaign.send_at))
    far = now + timedelta(days=3650)
    upcoming.sort(key=lambda send: send.next_at or far)
    return upcoming[:limit]


def channel_rates_recent_get(
    *, days: int = 7, now: datetime | None = None
) -> list[tuple[str, Figures]]:
    """Open and click rates per channel over the campaigns launched in the last `days` days,
    with the stats page's definitions (`tracking.selectors`, rollups plus cached delivery
    counts). Channels that sent nothing are left out."""
    since = (now or timezone.now()) - timedelta(days=days)
    channels = {channel: Figures(has_receipts=channel in RECEIPT_CHANNELS) for channel in CHANNELS}
    for campaign in Campaign.objects.filter(launched_at__gte=since).exclude(status=Status.DRAFT):
        stats = campaign_stats_get(campaign=campaign, detail=False)
        for channel, figures in stats.channels.items():
            channels.setdefault(channel, Figures(has_receipts=channel in RECEIPT_CHANNELS)).add(
                figures
            )
    return [(channel, figures) for channel, figures in channels.items() if figures.sent]
