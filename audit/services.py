"""Recording what people did. Services call `audit_record` inside their own transaction, so
an entry exists exactly when the change it describes was committed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from audit.models import AuditEntry


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_label: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `action` is `<entity>.<verb>` such as `campaign.launch`; an actor
    who is not signed in is recorded as nobody."""
    if target is not None:
        target_type = target_type or target._meta.model_name or ""
        target_id = target_id or target.pk
        target_label = target_label or str(target)
    return AuditEntry.objects.create(
        actor=actor if isinstance(actor, User) and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label[:200],
        detail=detail or {},
    )
