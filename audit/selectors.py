from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_entries(
    *, target_type: str = "", target_id: str = "", actor_id: int | None = None, action: str = ""
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor")
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if action:
        entries = entries.filter(action__startswith=action)
    return entries
