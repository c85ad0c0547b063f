"""Services that create and change segments; rules are checked here, before anything is saved."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from audit.services import audit_record
from common.csv import csv_decode, csv_delimiter_guess
from creators.cells import handle_read
from creators.columns import ALIASES
from creators.models import Creator
from segments.exceptions import (
    SegmentHandlesEmpty,
    SegmentKindMismatch,
    SegmentListNothingMatched,
    SegmentNameInvalid,
)
from segments.models import Segment, SegmentMember
from segments.rules import rules_compile, rules_parse

HANDLE_CHUNK = 5000


@dataclass
class StaticMembersResult:
    """What a list of handles did to a static segment: how many matched, which did not."""

    segment: Segment
    matched: int
    unknown_handles: list[str] = field(default_factory=list)


def _name_clean(name: str) -> str:
    max_length = Segment._meta.get_field("name").max_length or 150
    name = (name or "").strip()
    if not name or len(name) > max_length:
        raise SegmentNameInvalid(max_length)
    return name


@transaction.atomic
def segment_create(
    *,
    name: str,
    rules: Any,
    description: str = "",
    created_by: User | None = None,
) -> Segment:
    """Create a dynamic segment; invalid rules raise SegmentRulesInvalid and nothing is saved."""
    name = _name_clean(name)
    rules_parse(rules)
    segment = Segment.objects.create(
        name=name,
        kind=Segment.Kind.DYNAMIC,
        rules=rules,
        description=description,
        created_by=created_by,
    )
    audit_record(
        actor=created_by, action="segment.create", target=segment, detail={"kind": segment.kind}
    )
    return segment


@transaction.atomic
def segment_update(
    *,
    segment: Segment,
    name: str | None = None,
    rules: Any = None,
    description: str | None = None,
    actor: User | None = None,
) -> Segment:
    """Change a segment's name, description or (dynamic only) rules; None leaves a value as is."""
    update_fields = ["updated_at"]
    if name is not None:
        segment.name = _name_clean(name)
        update_fields.append("name")
    if description is not None:
        segment.description = description
        update_fields.append("description")
    if rules is not None:
        if segment.kind != Segment.Kind.DYNAMIC:
            raise SegmentKindMismatch(segment.name, Segment.Kind.DYNAMIC.label)
        rules_parse(rules)
        segment.rules = rules
        update_fields.append("rules")
    segment.updated_at = timezone.now()
    segment.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        action="segment.update",
        target=segment,
        detail={"fields": [name for name in update_fields if name != "updated_at"]},
    )
    return segment


def _handle_clean(handle: Any) -> str:
    """As the importer stores handles (lower case, no "@"); one it would refuse is kept as
    given, trimmed, so it is reported back as unknown."""
    text = str(handle).strip()
    return handle_read(text) or text.removeprefix("@").strip()


def _handles_clean(handles: Iterable[str]) -> list[str]:
    """Read each handle as the importer does, drop empties and repeats, keep the order given."""
    cleaned = (_handle_clean(handle) for handle in handles)
    return list(dict.fromkeys(handle for handle in cleaned if handle))


@transaction.atomic
def segment_static_members_set(*, segment: Segment, handles: Iterable[str]) -> StaticMembersResult:
    """Make the static segment's members exactly the creators with these handles.

    Handles are read as the importer reads them (blanks and a leading @ trimmed, case
    ignored); those that match no creator are reported back, in the order given, and the
    rest still land.
    """
    if segment.kind != Segment.Kind.STATIC:
        raise SegmentKindMismatch(segment.name, Segment.Kind.STATIC.label)
    wanted = _handles_clean(handles)
    if not wanted:
        raise SegmentHandlesEmpty()
    found: dict[str, int] = {}
    for start in range(0, len(wanted), HANDLE_CHUNK):
        chunk = wanted[start : start + HANDLE_CHUNK]
        found.update(Creator.objects.filter(handle__in=chunk).values_list("handle", "pk"))
    # Handles are stored lower case (the importer and the ops form write them so); one
    # stored otherwise (an old admin edit) is still found, case ignored, at the cost of a
    # scan, only for what the index lookup did not find.
    missing = [handle.lower() for handle in wanted if handle not in found]
    for start in range(0, len(missing), HANDLE_CHUNK):
        chunk = missing[start : start + HANDLE_CHUNK]
        rows = (
            Creator.objects.annotate(handle_lower=Lower("handle"))
            .filter(handle_lower__in=chunk)
            .values_list("handle_lower", "pk")
        )
        found.update(rows)
    SegmentMember.objects.filter(segment=segment).delete()
    SegmentMember.objects.bulk_create(
        [SegmentMember(segment=segment, creator_id=pk) for pk in found.values()],
        batch_size=HANDLE_CHUNK,
    )
    segment.updated_at = timezone.now()
    segment.save(update_fields=["updated_at"])
    return StaticMembersResult(
        segment=segment,
        matched=len(found),
        unknown_handles=[handle for handle in wanted if handle not in found],
    )


@transaction.atomic
def segment_static_create(
    *,
    name: str,
    handles: Iterable[str],
    description: str = "",
    created_by: User | None = None,
) -> StaticMembersResult:
    """Create a static segment from a list of handles; unknown handles are reported, not fatal."""
    segment = Segment.objects.create(
        name=_name_clean(name),
        kind=Segment.Kind.STATIC,
        rules={},
        description=description,
        created_by=created_by,
    )
    result = segment_static_members_set(segment=segment, handles=handles)
    audit_record(
        actor=created_by,
        action="segment.create",
        target=segment,
        detail={"kind": segment.kind, "members": result.matched},
    )
    return result


@transaction.atomic
def segment_snapshot_create(
    *,
    name: str,
    rules: Any,
    description: str = "",
    created_by: User | None = None,
    now: datetime | None = None,
) -> Segment:
    """Create a static segment holding the creators the rules select right now.

    The members are copied with one INSERT ... SELECT, so a snapshot of a large audience never
    travels through Python; later changes to creators do not change the list.
    """
    name = _name_clean(name)
    condition = rules_compile(rules, now=now)
    segment = Segment.objects.create(
        name=name,
        kind=Segment.Kind.STATIC,
        rules={},
        description=description,
        created_by=created_by,
    )
    matching = Creator.objects.filter(condition).order_by().values("pk")
    select_sql, params = matching.query.sql_with_params()
    member_table = connection.ops.quote_name(SegmentMember._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {member_table} (segment_id, creator_id) "
            f"SELECT %s, matching.* FROM ({select_sql}) AS matching",
            [segment.pk, *params],
        )
        members = cursor.rowcount
    audit_record(
        actor=created_by,
        action="segment.create",
        target=segment,
        detail={"kind": segment.kind, "members": members, "rules": rules},
    )
    return segment


# --- Lists pasted or uploaded in the ops app ---------------------------------------------------

LIST_HANDLES_MAX = 100_000


def handles_parse(text: str) -> list[tuple[int, str]]:
    """Handles from pasted text, each with the line it is on: one per line or separated by
    commas (or semicolons, or tabs); blanks skipped. A CSV whose header names a handle column
    (`handle`, `usuario`, … as the import reads headers) gives that column's cells instead."""
    lines = text.splitlines()
    if lines:
        delimiter = csv_delimiter_guess(lines[0])
        header = [cell.strip().lower() for cell in lines[0].split(delimiter)]
        names = [ALIASES.get(name, name) for name in header]
        if "handle" in names and len(names) > 1:
            column = names.index("handle")
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            next(reader, None)
            found = []
            for row in reader:
                if column < len(row) and row[column].strip():
                    found.append((reader.line_num, row[column].strip()))
            return found
    found = []
    for number, line in enumerate(lines, start=1):
        for cell in line.replace(";", ",").replace("\t", ",").split(","):
            if cell.strip():
                found.append((number, cell.strip()))
    return found


def handles_file_read(raw: bytes) -> str:
    """An uploaded file of handles as text, whatever encoding a spreadsheet saved it in."""
    text, _encoding = csv_decode(raw)
    return text


@dataclass
class ListCreated:
    """A list made from pasted handles: the segment, how many creators are on it, and the
    handles that are not creators, with their lines."""

    segment: Segment
    matched: int
    unknown: list[tuple[int, str]]


@transaction.atomic
def segment_list_create(
    *, name: str, text: str, description: str = "", created_by: User | None = None
) -> ListCreated:
    """A static segment from pasted or uploaded handles (see `handles_parse`): case ignored,
    `@` optional. Unknown handles are reported by line and the good ones kept; if none is a
    creator, nothing is saved (SegmentListNothingMatched)."""
    parsed = handles_parse(text)
    if not parsed:
        raise SegmentHandlesEmpty()
    result = segment_static_create(
        name=name,
        handles=[handle for _line, handle in parsed[:LIST_HANDLES_MAX]],
        description=description,
        created_by=created_by,
    )
    unknown_set = set(result.unknown_handles)
    unknown = [(line, handle) for line, handle in parsed if _handle_clean(handle) in unknown_set]
    if not result.matched:
        transaction.set_rollback(True)
        raise SegmentListNothingMatched(unknown)
    return ListCreated(segment=result.segment, matched=result.matched, unknown=unknown)


@transaction.atomic
def segment_members_add(
    *,
    segment: Segment,
    creators: QuerySet[Creator],
    actor: User,
    selection: dict[str, Any],
) -> int:
    """Add the selected creators to a static segment in one INSERT … SELECT (a million
    never pass through Python); those already on it are skipped. Audited as
    `segment.member_add` with the selection. Returns how many were added."""
    if segment.kind != Segment.Kind.STATIC:
        raise SegmentKindMismatch(segment.name, Segment.Kind.STATIC.label)
    select_sql, params = creators.order_by().values("pk").query.sql_with_params()
    member_table = connection.ops.quote_name(SegmentMember._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {member_table} (segment_id, creator_id) "
            f"SELECT %s, selected.* FROM ({select_sql}) AS selected "
            "ON CONFLICT (segment_id, creator_id) DO NOTHING",
            [segment.pk, *params],
        )
        added = cursor.rowcount
    segment.updated_at = timezone.now()
    segment.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action="segment.member_add",
        target=segment,
        detail={"creators": added, **selection},
    )
    return added


@transaction.atomic
def segment_list_from_creators(
    *, name: str, creators: QuerySet[Creator], actor: User, selection: dict[str, Any]
) -> tuple[Segment, int]:
    """A new static segment holding the selected creators (`segment.create`, then the
    members added as by `segment_members_add`)."""
    segment = Segment.objects.create(
        name=_name_clean(name), kind=Segment.Kind.STATIC, rules={}, created_by=actor
    )
    audit_record(
        actor=actor, action="segment.create", target=segment, detail={"kind": segment.kind}
    )
    added = segment_members_add(
        segment=segment, creators=creators, actor=actor, selection=selection
    )
    return segment, added


@transaction.atomic
def segment_members_add_later(
    *,
    segment: Segment | None,
    name: str,
    selection: dict[str, Any],
    actor: User,
    audit: dict[str, Any],
) -> Segment:
    """`segment_members_add` by a worker, for a selection too large for a request: the list
    (a new one named `name` when `segment` is None) is made now, its members once done."""
    from segments import tasks

    if segment is None:
        segment = Segment.objects.create(
            name=_name_clean(name), kind=Segment.Kind.STATIC, rules={}, created_by=actor
        )
        audit_record(
            actor=actor, action="segment.create", target=segment, detail={"kind": segment.kind}
        )
    elif segment.kind != Segment.Kind.STATIC:
        raise SegmentKindMismatch(segment.name, Segment.Kind.STATIC.label)
    segment_id = segment.pk
    transaction.on_commit(
        lambda: tasks.segment_members_add_run.delay(segment_id, selection, actor.pk, audit)
    )
    return segment
