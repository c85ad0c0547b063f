"""Programs: create one for a campaign, enrol creators, message a band (metric imports:
programs/metric_import.py).

Services change state; each is one transaction. Reading progress lives in selectors.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns import services as campaign_services
from campaigns.models import Campaign
from creators.models import Creator
from events.services import event_emit, events_emit_many
from programs.exceptions import ProgramInvalid
from programs.models import Band, BandMessageMark, Enrolment, Program
from programs.selectors import program_band_creators
from segments.models import Segment, SegmentMember
from segments.selectors import segment_creators


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
