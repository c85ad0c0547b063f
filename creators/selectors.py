"""Reading creators for the ops app: search with filters, one page at a time by keyset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils import timezone

from creators.models import CONSENT_FIELDS, ConsentChange, Creator, Device, ImportJob

# Counting stops here: an exact COUNT(*) over a broad filter at a million rows costs more
# than the page itself, and "1,000+" is all a person needs to know to narrow the search.
COUNT_CAP = 1000
LIST_FIELDS = (
    "id",
    "handle",
    "name",
    "email",
    "phone",
    "state",
    "level",
    "locale",
    "followers",
    "gmv_30d",
    "last_active_at",
    "consent_email",
    "consent_whatsapp",
    "consent_push",
    "consent_inbox",
)
# From this many creators (by PostgreSQL's estimate) the home page shows the estimate, marked
# as approximate, instead of counting: COUNT(*) over a million rows costs ~100 ms.
ESTIMATE_FROM = 100_000


@dataclass(frozen=True)
class CreatorTotal:
    count: int
    approximate: bool


def creator_total_get() -> CreatorTotal:
    """How many creators there are: PostgreSQL's estimate (pg_class.reltuples, kept current
    by autovacuum and ANALYZE) when it is ESTIMATE_FROM or more, else an exact COUNT."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [Creator._meta.db_table],
        )
        row = cursor.fetchone()
    estimate = row[0] if row else -1
    if estimate >= ESTIMATE_FROM:
        return CreatorTotal(count=estimate, approximate=True)
    return CreatorTotal(count=Creator.objects.count(), approximate=False)


def creator_search(
    *,
    q: str = "",
    level: int | None = None,
    state: str = "",
    locale: str = "",
    consent: dict[str, str] | None = None,
    tags: list[str] | None = None,
    active_within_days: int | None = None,
    sort: str = "",
) -> QuerySet[Creator]:
    """Creators matching every given filter, ordered by handle. `q` matches the start of the
    handle, the start of the email or part of the name; "@ana" only the start of the handle;
    something that looks like a number, the start of the phone (with or without "+")."""
    queryset = Creator.objects.all()
    q = q.strip()
    if q:
        digits = q.replace(" ", "").replace("-", "")
        if digits.lstrip("+").isdigit():
            phone = digits if digits.startswith("+") else f"+{digits}"
            queryset = queryset.filter(phone__startswith=phone)
        elif q.startswith("@"):
            queryset = queryset.filter(handle__startswith=q[1:].lower())
        else:
            queryset = queryset.filter(
                Q(handle__startswith=q.lower()) | Q(name__icontains=q) | Q(email__istartswith=q)
            )
    if level is not None:
        queryset = queryset.filter(level=level)
    if state:
        queryset = queryset.filter(state=state)
    if locale:
        queryset = queryset.filter(locale=locale)
    for channel, status in (consent or {}).items():
        if status:
            queryset = queryset.filter(**{CONSENT_FIELDS[channel]: status})
    for tag in tags or []:
        queryset = queryset.filter(tags__contains=[tag])
    if active_within_days is not None:
        since = timezone.now() - timedelta(days=active_within_days)
        queryset = queryset.filter(last_active_at__gte=since)
    return queryset.order_by(*SORTS.get(sort, SORTS[""]).order)


@dataclass(frozen=True)
class Sort:
    """One order of the list. "" is by handle (keyset on the unique handle); the others are
    descending on a column with the id breaking ties, walked by keyset on (column, id)."""

    column: str
    order: tuple[Any, ...]
    nullable: bool = False


SORTS: dict[str, Sort] = {
    "": Sort("handle", ("handle",)),
    "followers": Sort("followers", ("-followers", "-id")),
    "gmv": Sort("gmv_30d", ("-gmv_30d", "-id")),
    "active": Sort(
        "last_active_at", (F("last_active_at").desc(nulls_last=True), "-id"), nullable=True
    ),
}


def _cursor_read(sort: Sort, cursor: str) -> tuple[Any, int] | None:
    """A sorted page's cursor, "<value>~<id>" (an empty value: NULL), or None if malformed."""
    value_text, _sep, id_text = cursor.rpartition("~")
    if not id_text.isdigit() or len(id_text) > 18:
        return None
    value: Any
    try:
        if value_text == "":
            value = None if sort.nullable else ...
        elif sort.column == "followers":
            value = int(value_text) if value_text.isdigit() and len(value_text) < 19 else ...
        elif sort.column == "gmv_30d":
            value = Decimal(value_text)
            value = value if value.is_finite() and abs(value) < 10**12 else ...
        else:
            value = datetime.fromisoformat(value_text)
            value = value if value.tzinfo is not None else ...
    except (ValueError, InvalidOperation):
        return None
    return None if value is ... else (value, int(id_text))


def _cursor_make(sort: Sort, creator: Creator) -> str:
    value = getattr(creator, sort.column)
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else value
    return f"{text}~{creator.pk}"


def _row_compare(sort: Sort, cursor: tuple[Any, int], comparison: str) -> Q:
    """`(column, id) < / > (value, id)`: one row comparison, which PostgreSQL answers from
    the (column, id) index (or the column's own)."""
    row = RawSQL(
        f'("creators_creator"."{sort.column}", "creators_creator"."id") {comparison} (%s, %s)',
        cursor,
        output_field=BooleanField(),
    )
    return Q(row)


def _sorted_rows(
    rows: QuerySet[Creator], sort: Sort, cursor: tuple[Any, int] | None, *, forward: bool, n: int
) -> list[Creator]:
    """Up to `n` rows after (forward) or before the cursor in the order (column DESC NULLS
    LAST, id DESC), before ones in the reverse order. Creators with a value and those
    without (a nullable column's tail, by id alone) are read apart, each by an index in its
    own order, rather than one `… OR column IS NULL` that no index serves."""
    column = sort.column
    valued = rows.filter(**{f"{column}__isnull": False}) if sort.nullable else rows
    nulls = rows.filter(**{f"{column}__isnull": True})
    if forward:
        if cursor is not None and cursor[0] is None:  # already in the NULL tail
            return list(nulls.filter(pk__lt=cursor[1]).order_by("-id")[:n])
        if cursor is not None:
            valued = valued.filter(_row_compare(sort, cursor, "<"))
        found = list(valued.order_by(f"-{column}", "-id")[:n])
        if sort.nullable and len(found) < n:
            found += nulls.order_by("-id")[: n - len(found)]
        return found
    assert cursor is not None
    if cursor[0] is not None:
        return list(valued.filter(_row_compare(sort, cursor, ">")).order_by(column, "id")[:n])
    found = list(nulls.filter(pk__gt=cursor[1]).order_by("id")[:n])
    if len(found) < n:
        found += valued.order_by(column, "id")[: n - len(found)]
    return found


def _sorted_page(
    queryset: QuerySet[Creator], sort: Sort, after: str, before: str, size: int
) -> tuple[list[Creator], str | None, str | None, bool]:
    rows = queryset.only(*LIST_FIELDS).order_by()
    back = _cursor_read(sort, before) if before else None
    if back is not None:
        creators = _sorted_rows(rows, sort, back, forward=False, n=size + 1)
        has_more = len(creators) > size
        creators = creators[:size][::-1]
        previous_before = _cursor_make(sort, creators[0]) if has_more and creators else None
        next_after = _cursor_make(sort, creators[-1]) if creators else None
        return creators, next_after, previous_before, True
    cursor = _cursor_read(sort, after) if after else None
    creators = _sorted_rows(rows, sort, cursor, forward=True, n=size + 1)
    has_more = len(creators) > size
    creators = creators[:size]
    next_after = _cursor_make(sort, creators[-1]) if has_more else None
    previous_before = _cursor_make(sort, creators[0]) if cursor is not None and creators else None
    return creators, next_after, previous_before, cursor is not None or has_more


@dataclass
class CreatorPage:
    creators: list[Creator]
    count: int  # capped at COUNT_CAP
    count_capped: bool
    next_after: str | None
    previous_before: str | None


def creator_page(
    *,
    queryset: QuerySet[Creator],
    after: str = "",
    before: str = "",
    size: int = 50,
    sort: str = "",
) -> CreatorPage:
    """One page by keyset on the (unique) handle: `after` the last handle of the page seen,
    or `before` the first. Costs an index range scan, never an OFFSET over skipped rows.
    A `sort` other than "" pages by keyset on (its column, id) instead, with cursors
    "<value>~<id>"; a malformed cursor gives the first page."""
    rows = queryset.only(*LIST_FIELDS)
    if sort in SORTS and sort:
        creators, next_after, previous_before, paged = _sorted_page(
            queryset, SORTS[sort], after, before, size
        )
        count = (
            len(creators) if not paged else queryset.order_by().only("id")[: COUNT_CAP + 1].count()
        )
        return CreatorPage(
            creators=creators,
            count=min(count, COUNT_CAP),
            count_capped=count > COUNT_CAP,
            next_after=next_after,
            previous_before=previous_before,
        )
    if before:
        creators = list(rows.filter(handle__lt=before).order_by("-handle")[: size + 1])
        has_more = len(creators) > size
        creators = creators[:size][::-1]
        previous_before = creators[0].handle if has_more and creators else None
        next_after = creators[-1].handle if creators else None
    else:
        if after:
            rows = rows.filter(handle__gt=after)
        creators = list(rows[: size + 1])
        has_more = len(creators) > size
        creators = creators[:size]
        next_after = creators[-1].handle if has_more else None
        previous_before = creators[0].handle if after and creators else None
    if not after and not before and not has_more:
        count = len(creators)  # a first page that holds every match: no second scan to count
    else:
        count = queryset.order_by().only("id")[: COUNT_CAP + 1].count()
    return CreatorPage(
        creators=creators,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
        next_after=next_after,
        previous_before=previous_before,
    )


def creator_selection(
    *, queryset: QuerySet[Creator], ids: list[int], all_matching: bool
) -> QuerySet[Creator]:
    """What a bulk action works on: every creator the filter matches ("select all N
    matching"), or the ticked ids among them. Unordered, for UPDATE/INSERT ... SELECT."""
    selected = queryset if all_matching else queryset.filter(pk__in=ids)
    return selected.order_by()


def creator_selection_load(
    *, search: dict[str, Any], ids: list[int], all_matching: bool
) -> QuerySet[Creator]:
    """A selection sent to a task (CreatorSelectionForm.for_task), as a queryset again."""
    return creator_selection(queryset=creator_search(**search), ids=ids, all_matching=all_matching)


def creator_get(*, pk: int) -> Creator:
    return get_object_or_404(Creator, pk=pk)


def creator_consent_history(*, creator: Creator) -> QuerySet[ConsentChange]:
    return creator.consent_changes.order_by("-recorded_at", "-id")


def creator_devices(*, creator: Creator) -> QuerySet[Device]:
    return creator.devices.order_by("-last_seen_at")


def import_job_get(*, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


def import_jobs_recent(*, limit: int = 10) -> QuerySet[ImportJob]:
    return import_jobs_all()[:limit]


def import_jobs_all() -> QuerySet[ImportJob]:
    """Every import, newest first, without the (long) problem lists."""
    return ImportJob.objects.select_related("created_by").defer("errors", "warnings")
