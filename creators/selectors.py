"""Reading creators for the ops app: search with filters, one page at a time by keyset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Q, QuerySet
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
    return queryset.order_by("handle")


@dataclass
class CreatorPage:
    creators: list[Creator]
    count: int  # capped at COUNT_CAP
    count_capped: bool
    next_after: str | None
    previous_before: str | None


def creator_page(
    *, queryset: QuerySet[Creator], after: str = "", before: str = "", size: int = 50
) -> CreatorPage:
    """One page by keyset on the (unique) handle: `after` the last handle of the page seen,
    or `before` the first. Costs an index range scan, never an OFFSET over skipped rows."""
    rows = queryset.only(*LIST_FIELDS)
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
        count = queryset.only("id")[: COUNT_CAP + 1].count()
    return CreatorPage(
        creators=creators,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
        next_after=next_after,
        previous_before=previous_before,
    )


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
