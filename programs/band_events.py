"""The events a metric import emits (docs/events.md): `metric_imported` for each row written,
and `band_reached` for each enrolled creator whose progress is now in a band they had not
reached before, so a triggered campaign can send the band's message with no ops click."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db import transaction

from common.sql import ids_any
from events.models import Event
from events.services import EventIn, events_record
from programs.models import Band, CreatorMetric, Program
from programs.selectors import program_progress

# Bands worth an event: every one a creator can cross into (not "not started").
REACHABLE = [Band.STARTED, Band.HALFWAY, Band.ALMOST, Band.DONE]


def metrics_imported_emit(*, metrics: Iterable[CreatorMetric]) -> None:
    """Record `metric_imported` per row in the import's transaction; once it commits, look
    for bands reached (after every chunk is in, so a creator's total is complete)."""
    rows = list(metrics)
    if not rows:
        return
    events_record(
        events=[
            EventIn(
                name="metric_imported",
                creator_id=row.creator_id,
                props={
                    "metric": row.metric,
                    "date": row.date.isoformat(),
                    "value": float(row.value),
                },
            )
            for row in rows
        ],
        source=Event.Source.ALTAVOZ,
    )
    creator_ids = {row.creator_id for row in rows}
    transaction.on_commit(lambda: program_bands_reached_emit(creator_ids=creator_ids))


@transaction.atomic
def program_bands_reached_emit(*, creator_ids: Collection[int]) -> int:
    """`band_reached` (props: program, band) for each of these creators' enrolments in a
    program with a goal, for the band their progress is in now. The idempotency key
    (program, creator, band) makes it once per band however often metrics arrive."""
    if not creator_ids:
        return 0
    programs = (
        Program.objects.filter(threshold__gt=0, enrolments__creator_id__in=ids_any(creator_ids))
        .exclude(metric="")
        .distinct()
    )
    emitted = 0
    for program in programs:
        reached = (
            program_progress(program=program)
            .filter(creator_id__in=ids_any(creator_ids), band__in=REACHABLE)
            .values_list("creator_id", "band")
        )
        events = [
            EventIn(
                name="band_reached",
                creator_id=creator_id,
                props={"program": program.pk, "band": band},
                idempotency_key=f"band_reached:{program.pk}:{creator_id}:{band}",
            )
            for creator_id, band in reached
        ]
        emitted += len(events_record(events=events, source=Event.Source.ALTAVOZ)) if events else 0
    return emitted
