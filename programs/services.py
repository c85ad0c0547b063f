"""Programs: create one for a campaign, enrol creators, import their metrics, message a band.

Services change state; each is one transaction. Reading progress lives in selectors.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns import services as campaign_services
from campaigns.models import Campaign
from common.csv import CSV_NUL_MESSAGE, csv_has_nul, csv_rows_numbered
from creators.cells import handle_read
from creators.models import Creator
from events.services import event_emit, events_emit_many
from programs.band_events import metrics_imported_emit
from programs.exceptions import ProgramInvalid
from programs.models import Band, BandMessageMark, CreatorMetric, Enrolment, Metric, Program
from programs.selectors import program_band_creators
from segments.models import Segment, SegmentMember
from segments.selectors import segment_creators

METRIC_CHUNK = 5000
ERROR_LIMIT = 1000


def _dates(value: Iterable[Any]) -> list[str]:
    out = []
    for item in value or []:
        try:
            parsed = item if isinstance(item, date) else parse_date(str(item).strip())
        except ValueError:  # well formed but no such day: 2026-13-45
            parsed = None
        if parsed is None:
            raise ProgramInvalid(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": item})
        out.append(parsed.isoformat())
    return sorted(set(out))


def _validate(program: Program) -> None:
    kind = program.campaign.kind
    if kind not in Program.KINDS:
        raise ProgramInvalid(
            _("Only missions, competitions and initiatives are programs, not “%(kind)s”.")
            % {"kind": program.campaign.get_kind_display()}
        )
    if program.ends_on < program.starts_on:
        raise ProgramInvalid(_("The program ends before it starts."))
    if kind == Campaign.Kind.MISSION and (not program.metric or not program.threshold):
        raise ProgramInvalid(_("A mission needs a goal: a metric and a threshold."))
    if kind == Campaign.Kind.COMPETITION and not program.metric:
        raise ProgramInvalid(_("A competition needs a ranking metric."))


@transaction.atomic
def program_save(
    *,
    campaign: Campaign,
    starts_on: date,
    ends_on: date,
    actor: User | None = None,
    **fields: Any,
) -> Program:
    """Create or change the program of `campaign`; the campaign's period follows it."""
    program = Program.objects.filter(campaign=campaign).first() or Program(campaign=campaign)
    program.starts_on, program.ends_on = starts_on, ends_on
    if "blackout_dates" in fields:
        fields["blackout_dates"] = _dates(fields["blackout_dates"])
    for name, value in fields.items():
        setattr(program, name, value)
    if not program.locales:
        program.locales = [campaign.default_locale]
    _validate(program)
    created = program.pk is None
    program.save()
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.save(update_fields=["starts_on", "ends_on"])
    audit_record(
        actor=actor,
        action="program.create" if created else "program.update",
        target=program,
        detail={"campaign": campaign.pk},
    )
    return program


@transaction.atomic
def enrolment_create(*, program: Program, creator: Creator, source: str) -> Enrolment:
    enrolment, created = Enrolment.objects.get_or_create(
        program=program, creator=creator, defaults={"source": source}
    )
    if created:
        event_emit(
            creator_id=creator.pk,
            name="program_enrolled",
            props={"program": program.pk, "source": source},
        )
    return enrolment


@transaction.atomic
def program_enrol_eligible(*, program: Program, actor: User | None = None) -> int:
    """Enrol every creator of the campaign's segment (source `auto`) in one INSERT … SELECT."""
    if program.campaign.segment is None:
        raise ProgramInvalid(_("Choose the campaign's segment (the eligible creators) first."))
    eligible_sql, params = (
        segment_creators(program.campaign.segment).order_by().values("pk").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Enrolment._meta.db_table} (program_id, creator_id, enrolled_at, source) "
            f"SELECT %s, eligible.id, %s, %s FROM ({eligible_sql}) AS eligible(id) "
            "ON CONFLICT DO NOTHING RETURNING creator_id",
            [program.pk, timezone.now(), Enrolment.Source.AUTO, *params],
        )
        enrolled = max(cursor.rowcount, 0)
        events_emit_many(
            creator_ids=[row[0] for row in cursor.fetchall()],
            name="program_enrolled",
            props={"program": program.pk, "source": Enrolment.Source.AUTO},
        )
    audit_record(actor=actor, action="program.enrol", target=program, detail={"new": enrolled})
    return enrolled


# --- Metrics --------------------------------------------------------------------------------------


@dataclass
class MetricImportResult:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


METRIC_HEADER = ("handle", "date", "metric", "value")


def _metric_row_check(row: dict[str, Any]) -> tuple[str, date, str, Decimal]:
    if csv_has_nul(row.values()):
        raise ValueError(str(CSV_NUL_MESSAGE))
    handle = str(row.get("handle") or "").strip()
    handle = handle_read(handle) or handle.removeprefix("@")
    if not handle:
        raise ValueError(_("handle is empty"))
    day = parse_date(str(row.get("date") or "").strip())
    if day is None:
        raise ValueError(_("date must be YYYY-MM-DD"))
    metric = str(row.get("metric") or "").strip()
    if metric not in Metric.values:
        raise ValueError(
            _("metric must be one of %(metrics)s") % {"metrics": ", ".join(Metric.values)}
        )
    try:
        value = Decimal(str(row.get("value") or "").strip())
    except InvalidOperation:
        raise ValueError(_("value must be a number")) from None
    if not value.is_finite() or value < 0:
        raise ValueError(_("value must be zero or more"))
    return handle, day, metric, value


def _metrics_write(
    rows: list[tuple[int, str, date, str, Decimal]], result: MetricImportResult
) -> None:
    """Upsert one chunk: handles resolved with one query, rows written with one upsert."""
    handles = {row[1] for row in rows}
    ids = dict(Creator.objects.filter(handle__in=handles).values_list("handle", "pk"))
    latest: dict[tuple[int, str, date], CreatorMetric] = {}
    for line, handle, day, metric, value in rows:
        creator_id = ids.get(handle)
        if creator_id is None:
            if len(result.errors) < ERROR_LIMIT:
                result.errors.append(
                    (line, _("no creator with handle “%(handle)s”") % {"handle": handle})
                )
            continue
        # The same creator, metric and day twice in one file: the later line wins.
        latest[(creator_id, metric, day)] = CreatorMetric(
            creator_id=creator_id, date=day, metric=metric, value=value
        )
    CreatorMetric.objects.bulk_create(
        latest.values(),
        update_conflicts=True,
        unique_fields=["creator", "metric", "date"],
        update_fields=["value"],
        batch_size=METRIC_CHUNK,
    )
    metrics_imported_emit(metrics=latest.values())
    result.imported += len(latest)


@transaction.atomic
def creator_metrics_record(
    *, rows: Iterable[tuple[int, dict[str, Any]]], actor: User | None = None
) -> MetricImportResult:
    """Record daily metric rows, each `(line, {handle, date, metric, value})`: bad rows are
    reported by their line and the good ones land."""
    result = MetricImportResult()
    chunk: list[tuple[int, str, date, str, Decimal]] = []
    for line, row in rows:
        try:
            chunk.append((line, *_metric_row_check(row)))
        except ValueError as error:
            if len(result.errors) < ERROR_LIMIT:
                result.errors.append((line, str(error)))
        if len(chunk) >= METRIC_CHUNK:
            _metrics_write(chunk, result)
            chunk = []
    if chunk:
        _metrics_write(chunk, result)
    result.errors.sort()
    audit_record(
        actor=actor,
        action="program.metrics_import",
        target_type="creatormetric",
        detail={"imported": result.imported, "errors": len(result.errors)},
    )
    return result


def creator_metrics_import_csv(
    *, file: IO[bytes] | IO[str], actor: User | None = None
) -> MetricImportResult:
    """CSV with header handle,date,metric,value (UTF-8); line 1 is the header."""
    raw = file.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in METRIC_HEADER if name not in (reader.fieldnames or [])]
    if missing:
        return MetricImportResult(
            errors=[(1, _("missing columns: %(columns)s") % {"columns": ", ".join(missing)})]
        )
    return creator_metrics_record(rows=csv_rows_numbered(reader), actor=actor)


# --- Band messages --------------------------------------------------------------------------------


class BandEmpty(ProgramInvalid):
    def __init__(self, band: str) -> None:
        super().__init__(
            _("Nobody in “%(band)s” is still waiting for this message.")
            % {"band": Band(band).label}
        )


@transaction.atomic
def band_message_send(
    *,
    program: Program,
    band: str,
    messages: list[dict[str, Any]],
    actor: User | None = None,
) -> Campaign:
    """Launch a campaign to the creators now in `band` who never got this band's message.

    The marks (program, band, creator) are inserted first, straight from the progress query,
    with ON CONFLICT DO NOTHING: the unique constraint, under a lock on the program, is what
    makes "each creator at most once per band" hold for concurrent clicks. The campaign's
    audience is a static segment copied from the marks of this send.
    """
    if band not in Band.values:
        raise ProgramInvalid(_("Unknown band."))
    if not program.threshold:
        raise ProgramInvalid(_("Bands need a goal threshold."))
    program = Program.objects.select_for_update().select_related("campaign").get(pk=program.pk)
    parent = program.campaign
    campaign = campaign_services.campaign_create(
        owner=actor,
        name=f"{parent.name} — {Band(band).label}"[:200],
        kind=parent.kind,
        market=parent.market,
        default_locale=parent.default_locale,
        messages=messages,
    )
    in_band_sql, params = (
        program_band_creators(program=program, band=band)
        .values("creator_id")
        .query.sql_with_params()
    )
    marks, members = BandMessageMark._meta.db_table, SegmentMember._meta.db_table
    segment = Segment.objects.create(
        name=f"{campaign.name} ({timezone.now():%Y-%m-%d %H:%M})"[:150],
        kind=Segment.Kind.STATIC,
        rules={},
        description=_("Band message audience of program %(program)s") % {"program": program.pk},
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {marks} (program_id, band, creator_id, campaign_id, sent_at) "
            f"SELECT %s, %s, in_band.creator_id, %s, %s FROM ({in_band_sql}) AS in_band "
            "ON CONFLICT DO NOTHING",
            [program.pk, band, campaign.pk, timezone.now(), *params],
        )
        if cursor.rowcount <= 0:
            raise BandEmpty(band)
        cursor.execute(
            f"INSERT INTO {members} (segment_id, creator_id) "
            f"SELECT %s, creator_id FROM {marks} WHERE campaign_id = %s",
            [segment.pk, campaign.pk],
        )
        audience = cursor.rowcount
    campaign.segment = segment
    campaign.save(update_fields=["segment"])
    audit_record(
        actor=actor,
        action="program.band_message",
        target=program,
        detail={"band": band, "campaign": campaign.pk, "creators": audience},
    )
    return campaign_services.campaign_launch(campaign=campaign, actor=actor)


@transaction.atomic
def program_notes_set(*, program: Program, notes: str, actor: User | None) -> Program:
    program.notes = notes
    program.save(update_fields=["notes"])
    audit_record(actor=actor, action="program.notes", target=program)
    return program
