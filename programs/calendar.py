"""The campaign calendar: sends and program periods by day, and the collisions between them.

Collisions are (1) two campaigns sending on the same day to overlapping audiences, the
overlap counted in SQL between their segments, and (2) a send on a blackout date of a
program running in the same market.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Campaign
from programs.models import Program
from segments.selectors import segment_creators


@dataclass
class Collision:
    day: date
    kind: str  # "overlap" or "blackout"
    message: str
    campaign_ids: tuple[int, ...]
    creators: int = 0


@dataclass
class CalendarDay:
    day: date
    in_range: bool
    sends: list[Campaign] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)


@dataclass
class Calendar:
    start: date
    end: date
    weeks: list[list[CalendarDay]]
    collisions: list[Collision]


def campaign_send_day(campaign: Campaign) -> date | None:
    """The local day a campaign sends (or sent): its send time, launch, or planned time."""
    moment: datetime | None = campaign.send_at or campaign.launched_at
    if moment is None and (campaign.schedule_plan or {}).get("send_at"):
        moment = parse_datetime(campaign.schedule_plan["send_at"])
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date()


def audience_overlap(first: Campaign, second: Campaign) -> int:
    """Creators in both campaigns' segments, counted by the database."""
    if first.segment is None or second.segment is None:
        return 0
    return (
        segment_creators(first.segment)
        .filter(pk__in=segment_creators(second.segment).values("pk"))
        .count()
    )


def calendar_range(*, view: str, anchor: date) -> tuple[date, date, date, date]:
    """(grid start, grid end, range start, range end): whole weeks, Monday first."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6), start, start + timedelta(days=6)
    first = anchor.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    return grid_start, grid_end, first, last


def calendar_build(
    *,
    view: str = "month",
    anchor: date,
    kind: str = "",
    market: str = "",
    channel: str = "",
) -> Calendar:
    grid_start, grid_end, range_start, range_end = calendar_range(view=view, anchor=anchor)
    campaigns = Campaign.objects.select_related("segment").exclude(status=Campaign.Status.CANCELLED)
    if kind:
        campaigns = campaigns.filter(kind=kind)
    if market:
        campaigns = campaigns.filter(market=market)
    if channel:
        campaigns = campaigns.filter(channels__contains=[channel])
    # Candidates: anything that could send in the grid (exact day computed below).
    margin_start = timezone.make_aware(
        datetime.combine(grid_start - timedelta(days=1), datetime.min.time())
    )
    margin_end = timezone.make_aware(
        datetime.combine(grid_end + timedelta(days=2), datetime.min.time())
    )
    window = Q(send_at__range=(margin_start, margin_end)) | Q(
        launched_at__range=(margin_start, margin_end)
    )
    window |= Q(schedule_plan__has_key="send_at")
    by_day: dict[date, list[Campaign]] = defaultdict(list)
    for campaign in campaigns.filter(window).order_by("pk"):
        day = campaign_send_day(campaign)
        if day is not None and grid_start <= day <= grid_end:
            by_day[day].append(campaign)

    programs = list(
        Program.objects.select_related("campaign")
        .filter(starts_on__lte=grid_end, ends_on__gte=grid_start)
        .filter(**({"campaign__kind": kind} if kind else {}))
        .filter(**({"campaign__market": market} if market else {}))
    )

    collisions: list[Collision] = []
    for day, sends in sorted(by_day.items()):
        for first, second in combinations(sends, 2):
            shared = audience_overlap(first, second)
            if shared:
                collisions.append(
                    Collision(
                        day,
                        "overlap",
                        ngettext(
                            "“%(first)s” and “%(second)s” both reach %(count)s creator on "
                            "this day.",
                            "“%(first)s” and “%(second)s” both reach %(count)s creators on "
                            "this day.",
                            shared,
                        )
                        % {
                            "first": first.name,
                            "second": second.name,
                            "count": number_format(shared, force_grouping=True),
                        },
                        (first.pk, second.pk),
                        shared,
                    )
                )
        for program in programs:
            if day.isoformat() not in (program.blackout_dates or []):
                continue
            for send in sends:
                if send.market == program.campaign.market:
                    collisions.append(
                        Collision(
                            day,
                            "blackout",
                            _("“%(campaign)s” sends on a blackout date of “%(program)s”.")
                            % {"campaign": send.name, "program": program.campaign.name},
                            (send.pk,),
                        )
                    )

    weeks: list[list[CalendarDay]] = []
    day = grid_start
    while day <= grid_end:
        week = []
        for _offset in range(7):
            cell = CalendarDay(day, range_start <= day <= range_end, by_day.get(day, []))
            cell.programs = [p for p in programs if p.starts_on <= day <= p.ends_on]
            cell.collisions = [c for c in collisions if c.day == day]
            week.append(cell)
            day += timedelta(days=1)
        weeks.append(week)
    in_range = [c for c in collisions if range_start <= c.day <= range_end]
    return Calendar(range_start, range_end, weeks, in_range)
