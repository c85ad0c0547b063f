from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry


def audit_entries(
    *,
    target_type: str = "",
    target_id: str = "",
    actor_id: int | None = None,
    system: bool = False,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries, newest first, filtered; `system` keeps the ones no person made; `since` and
    `until` are dates in the current time zone, both included."""
    entries = AuditEntry.objects.select_related("actor")
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    elif system:
        entries = entries.filter(actor=None)
    if action:
        entries = entries.filter(action__startswith=action)
    if since:
        entries = entries.filter(at__gte=_local_midnight(since))
    if until:
        entries = entries.filter(at__lt=_local_midnight(until + timedelta(days=1)))
    return entries


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
