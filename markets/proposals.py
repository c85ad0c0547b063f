"""Proposals: write, move through draft → proposed → accepted / rejected, record the outcome.

Every change is one transaction with its audit entry. Only a draft is edited; a proposed one
can go back to draft (withdrawn) to be reworked; accepted and rejected are final, and only an
accepted proposal records a measured outcome."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns.models import Campaign
from markets.exceptions import (
    ProposalNotEditable,
    ProposalOutcomeEarly,
    ProposalOutcomeMissing,
    ProposalStateError,
)
from markets.models import Playbook, Proposal

Status = Proposal.Status
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PROPOSED},
    Status.PROPOSED: {Status.ACCEPTED, Status.REJECTED, Status.DRAFT},
    Status.ACCEPTED: set(),
    Status.REJECTED: set(),
}
# Deciding needs markets.decide_proposal; proposing and withdrawing need change_proposal.
DECISIONS = {Status.ACCEPTED, Status.REJECTED}


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


@transaction.atomic
def proposal_save(
    *,
    proposal: Proposal | None,
    actor: User | None,
    evidence_playbooks: Iterable[Playbook] = (),
    evidence_campaigns: Iterable[Campaign] = (),
    **fields: Any,
) -> Proposal:
    """Create a draft, or change one (a proposal past draft is not edited)."""
    created = proposal is None
    if proposal is None:
        proposal = Proposal(author=_actor(actor))
    else:
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != Status.DRAFT:
            raise ProposalNotEditable(proposal.get_status_display())
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.updated_at = timezone.now()
    proposal.save()
    proposal.evidence_playbooks.set(evidence_playbooks)
    proposal.evidence_campaigns.set(evidence_campaigns)
    audit_record(
        actor=actor,
        action="proposal.create" if created else "proposal.change",
        target=proposal,
        detail={
            "playbooks": sorted(p.pk for p in proposal.evidence_playbooks.all()),
            "campaigns": sorted(c.pk for c in proposal.evidence_campaigns.all()),
        },
    )
    return proposal


@transaction.atomic
def proposal_transition(
    *, proposal: Proposal, to_status: str, actor: User | None, note: str = ""
) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if to_status not in TRANSITIONS.get(proposal.status, set()):
        raise ProposalStateError(
            proposal.get_status_display(),
            str(Status(to_status).label) if to_status in Status.values else to_status,
        )
    previous = proposal.status
    proposal.status = to_status
    proposal.updated_at = timezone.now()
    if to_status in DECISIONS:
        proposal.decision_note = (note or "").strip()[:500]
        proposal.decided_at = proposal.updated_at
    proposal.save(update_fields=["status", "updated_at", "decision_note", "decided_at"])
    audit_record(
        actor=actor,
        action=f"proposal.{to_status}",
        target=proposal,
        detail={"from": previous, "to": to_status, **({"note": note} if note else {})},
    )
    return proposal


@transaction.atomic
def proposal_outcome_record(*, proposal: Proposal, outcome: str, actor: User | None) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Status.ACCEPTED:
        raise ProposalOutcomeEarly()
    outcome = (outcome or "").strip()
    if not outcome:
        raise ProposalOutcomeMissing()
    proposal.outcome = outcome
    proposal.outcome_recorded_at = proposal.updated_at = timezone.now()
    proposal.save(update_fields=["outcome", "outcome_recorded_at", "updated_at"])
    audit_record(
        actor=actor, action="proposal.outcome", target=proposal, detail={"outcome": outcome[:500]}
    )
    return proposal


def proposal_next_states(*, proposal: Proposal) -> list[tuple[str, str]]:
    """The moves open to a proposal now, with their button labels."""
    labels = {
        Status.PROPOSED: _("Propose"),
        Status.ACCEPTED: _("Accept"),
        Status.REJECTED: _("Reject"),
        Status.DRAFT: _("Back to draft"),
    }
    return [
        (state, labels[state])
        for state in (Status.PROPOSED, Status.ACCEPTED, Status.REJECTED, Status.DRAFT)
        if state in TRANSITIONS[proposal.status]
    ]
