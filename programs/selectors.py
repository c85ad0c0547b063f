"""Reading programs: progress towards the goal, bands, the leaderboard. All computed in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from programs.models import Band, Enrolment, Program

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class EnrolmentProgress(TypedDict):
    """What `program_progress` adds to each enrolment (so `band` and `total` filter)."""

    total: Decimal
    band: str


# A creator is in the first band whose share of the threshold they reached (done ≥ 100 %).
BAND_EDGES: tuple[tuple[Band, Decimal], ...] = (
    (Band.DONE, Decimal("1")),
    (Band.ALMOST, Decimal("0.9")),
    (Band.HALFWAY, Decimal("0.5")),
)


def program_get(*, pk: int) -> Program:
    return get_object_or_404(Program.objects.select_related("campaign__segment"), pk=pk)


def program_list() -> QuerySet[Program]:
    return Program.objects.select_related("campaign").order_by("-starts_on", "-pk")


def program_progress(
    *, program: Program
) -> QuerySet[WithAnnotations[Enrolment, EnrolmentProgress]]:
    """Each enrolment with `total` (the metric summed over the program's period) and `band`."""
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
    in_period = Q(
        creator__metrics__metric=program.metric,
        creator__metrics__date__gte=program.starts_on,
        creator__metrics__date__lte=program.ends_on,
    )
    rows = Enrolment.objects.filter(program=program).annotate(
        total=Coalesce(Sum("creator__metrics__value", filter=in_period), zero)
    )
    threshold = program.threshold
    if not threshold:
        return rows.annotate(band=Value("", output_field=CharField()))
    whens = [
        When(total__gte=threshold * share, then=Value(band.value)) for band, share in BAND_EDGES
    ]
    return rows.annotate(
        band=Case(
            When(total__lte=0, then=Value(Band.NOT_STARTED.value)),
            *whens,
            default=Value(Band.STARTED.value),
            output_field=CharField(),
        )
    )


def program_band_counts(*, program: Program) -> dict[str, int]:
    counts = {band.value: 0 for band in Band}
    if not program.threshold:
        return counts
    for band in program_progress(program=program).values_list("band", flat=True):
        counts[band] += 1
    return counts


def program_band_creators(
    *, program: Program, band: str
) -> QuerySet[WithAnnotations[Enrolment, EnrolmentProgress]]:
    """Enrolments currently in `band` (use `.values("creator_id")` as a subquery)."""
    return program_progress(program=program).filter(band=band)


def program_leaderboard(*, program: Program, limit: int = 50) -> list[dict[str, Any]]:
    rows = (
        program_progress(program=program)
        .annotate(handle=F("creator__handle"), name=F("creator__name"))
        .order_by("-total", "handle")
        .values("handle", "name", "total", "band", "enrolled_at", "source")[:limit]
    )
    prizes = {int(item.get("rank", 0)): item.get("prize", "") for item in program.prizes or []}
    board = []
    for rank, row in enumerate(rows, start=1):
        band_label = Band(row["band"]).label if row["band"] else ""
        board.append({**row, "rank": rank, "prize": prizes.get(rank, ""), "band_label": band_label})
    return board


def program_postmortem(*, program: Program) -> dict[str, Any]:
    """Reach, OR/CTR per channel (program campaign and its band messages), enrolments,
    completions and goal attainment."""
    from campaigns.models import Campaign, Delivery
    from tracking.selectors import campaign_stats_get

    campaign_ids = {program.campaign_id} | set(
        program.band_marks.values_list("campaign_id", flat=True).distinct()
    )
    campaigns = Campaign.objects.filter(pk__in=campaign_ids).order_by("pk")
    channels: dict[str, Any] = {}
    for campaign in campaigns:
        stats = campaign_stats_get(campaign=campaign, detail=False)
        for channel, figures in stats.channels.items():
            if channel in channels:
                channels[channel].add(figures)
            else:
                channels[channel] = figures
    reach = (
        Delivery.objects.filter(campaign_id__in=campaign_ids, status=Delivery.Status.SENT)
        .values("creator_id")
        .distinct()
        .count()
    )
    enrolments = program.enrolments.count()
    bands = program_band_counts(program=program)
    completions = bands[Band.DONE] if program.threshold else 0
    return {
        "reach": reach,
        "channels": channels,
        "enrolments": enrolments,
        "by_source": dict(
            program.enrolments.values_list("source").annotate(n=Count("pk")).order_by()
        ),
        "completions": completions,
        "attainment": (completions / enrolments) if enrolments else 0.0,
        "bands": bands,
        "campaigns": list(campaigns),
    }
