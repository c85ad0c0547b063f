"""Writing playbooks. Adapting one for Mexico lives in markets/adapt.py, proposals in
markets/proposals.py, the CSV import in markets/imports.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from audit.services import audit_record
from markets.models import Playbook


@transaction.atomic
def playbook_save(*, playbook: Playbook | None, actor: User | None, **fields: Any) -> Playbook:
    """Create a playbook, or change one, from already-validated fields (PlaybookForm)."""
    created = playbook is None
    playbook = playbook or Playbook()
    for name, value in fields.items():
        setattr(playbook, name, value)
    playbook.save()
    audit_record(
        actor=actor,
        action="playbook.create" if created else "playbook.change",
        target=playbook,
        detail={"fields": sorted(fields)},
    )
    return playbook
