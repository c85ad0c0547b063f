"""What the thread page shows beside the messages: the creator's level, followers, GMV trend,
consent, language, current programs with their progress, and the last campaigns with what
the creator did with each (docs/conversations.md). A fixed number of indexed reads, whatever
the creator's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import Delivery
from conversations.models import Message
from creators.models import Creator
from programs.models import CreatorMetric, Enrolment, Metric

TREND_WEEKS = 8
LAST_CAMPAIGNS = 5


@dataclass(frozen=True)
class GmvWeek:
    starts_on: date
    total: Decimal
    share: int  # 0–100, of the best week shown


@dataclass(frozen=True)
class ProgramProgress:
    name: str
    pk: int
    ends_on: date
    metric: str
    total: Decimal
    threshold: Decimal | None
    percent: int | None


@dataclass(frozen=True)
class CampaignOutcome:
    campaign_id: int
    campaign_name: str
    channel: str
    status: str
    sent_at: object
    delivered: bool
    opened: bool
    clicked: bool
    replied: bool


@dataclass(frozen=True)
class CreatorPanel:
    creator: Creator
    gmv_weeks: list[GmvWeek]
    programs: list[ProgramProgress]
    campaigns: list[CampaignOutcome]


def _gmv_weeks(*, creator: Creator, today: date) -> list[GmvWeek]:
    """GMV summed per week (Monday first) over the last TREND_WEEKS weeks, oldest first."""
    first = today - timedelta(days=today.weekday() + 7 * (TREND_WEEKS - 1))
    totals = {first + timedelta(weeks=index): Decimal(0) for index in range(TREND_WEEKS)}
    rows = CreatorMetric.objects.filter(
        creator=creator, metric=Metric.GMV, date__gte=first, date__lte=today
    ).values_list("date", "value")
    for day, value in rows:
        totals[day - timedelta(days=day.weekday())] += value
    best = max(totals.values()) or Decimal(1)
    return [
        GmvWeek(starts_on=week, total=total, share=int(total * 100 / best) if total > 0 else 0)
        for week, total in sorted(totals.items())
    ]


def _programs(*, creator: Creator, today: date) -> list[ProgramProgress]:
    """The creator's programs that have not ended, each with the metric summed over its
    period (one query)."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))
    in_period = Q(
        creator__metrics__metric=F("program__metric"),
        creator__metrics__date__gte=F("program__starts_on"),
        creator__metrics__date__lte=F("program__ends_on"),
    )
    enrolments = (
        Enrolment.objects.filter(creator=creator, program__ends_on__gte=today)
        .select_related("program__campaign")
        .annotate(total=Coalesce(Sum("creator__metrics__value", filter=in_period), zero))
        .order_by("program__ends_on", "program_id")[:10]
    )
    progress = []
    for enrolment in enrolments:
        program = enrolment.program
        total: Decimal = enrolment.total  # type: ignore[attr-defined]
        threshold = program.threshold or None
        percent = min(100, int(total * 100 / threshold)) if threshold else None
        progress.append(
            ProgramProgress(
                name=program.campaign.name,
                pk=program.pk,
                ends_on=program.ends_on,
                metric=program.get_metric_display() if program.metric else "",
                total=total,
                threshold=threshold,
                percent=percent,
            )
        )
    return progress


def _campaigns(*, creator: Creator) -> list[CampaignOutcome]:
    """The creator's last deliveries, newest first, with what they did with each."""
    deliveries = list(
        Delivery.objects.filter(creator=creator, sent_at__isnull=False)
        .select_related("campaign")
        .order_by("-sent_at", "-id")[:LAST_CAMPAIGNS]
    )
    replied = set(
        Message.objects.filter(
            delivery_id__in=[delivery.pk for delivery in deliveries],
            direction=Message.Direction.IN,
        ).values_list("delivery_id", flat=True)
    )
    return [
        CampaignOutcome(
            campaign_id=delivery.campaign_id,
            campaign_name=delivery.campaign.name,
            channel=delivery.get_channel_display(),
            status=delivery.get_status_display(),
            sent_at=delivery.sent_at,
            delivered=delivery.first_delivered_at is not None,
            opened=delivery.first_opened_at is not None,
            clicked=delivery.first_clicked_at is not None,
            replied=delivery.pk in replied,
        )
        for delivery in deliveries
    ]


def creator_panel_get(*, creator: Creator) -> CreatorPanel:
    today = timezone.localdate()
    return CreatorPanel(
        creator=creator,
        gmv_weeks=_gmv_weeks(creator=creator, today=today),
        programs=_programs(creator=creator, today=today),
        campaigns=_campaigns(creator=creator),
    )
