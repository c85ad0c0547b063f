"""Proposals move draft → proposed → accepted / rejected only through the service, each move
audited; only drafts are edited; only accepted proposals record an outcome."""

import pytest

from audit.models import AuditEntry
from markets.exceptions import (
    ProposalNotEditable,
    ProposalOutcomeEarly,
    ProposalStateError,
)
from markets.models import Proposal
from markets.proposals import proposal_outcome_record, proposal_save, proposal_transition
from tests.support.factories import campaign_make, playbook_make

pytestmark = pytest.mark.django_db

TEXT = {
    "title": "Recordatorio por WhatsApp al día 3",
    "problem": "Pocas inscripciones.",
    "proposed_change": "Añadir un recordatorio.",
    "expected_effect": "+5 pts de inscripción.",
    "measurement": "Inscripciones a 7 días vs. la misión anterior.",
}


def _draft():
    return proposal_save(
        proposal=None,
        actor=None,
        evidence_playbooks=[playbook_make()],
        evidence_campaigns=[campaign_make(channels=("inbox",))],
        **TEXT,
    )


def test_the_happy_path_is_audited():
    proposal = _draft()
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.evidence_playbooks.count() == 1 and proposal.evidence_campaigns.count() == 1
    proposal = proposal_transition(proposal=proposal, to_status="proposed", actor=None)
    proposal = proposal_transition(proposal=proposal, to_status="accepted", actor=None, note="Va")
    assert (proposal.status, proposal.decision_note) == ("accepted", "Va")
    proposal = proposal_outcome_record(proposal=proposal, outcome="+3.1 pts", actor=None)
    assert proposal.outcome == "+3.1 pts" and proposal.outcome_recorded_at is not None
    actions = list(
        AuditEntry.objects.filter(target_type="proposal")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "proposal.create",
        "proposal.proposed",
        "proposal.accepted",
        "proposal.outcome",
    ]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "accepted"),
        ([], "rejected"),
        (["proposed", "rejected"], "proposed"),
        (["proposed", "accepted"], "draft"),
        (["proposed", "accepted"], "rejected"),
    ],
)
def test_moves_outside_the_machine_are_refused(path, refused):
    proposal = _draft()
    for state in path:
        proposal = proposal_transition(proposal=proposal, to_status=state, actor=None)
    before = AuditEntry.objects.count()
    with pytest.raises(ProposalStateError):
        proposal_transition(proposal=proposal, to_status=refused, actor=None)
    proposal.refresh_from_db()
    assert proposal.status == (path[-1] if path else "draft")
    assert AuditEntry.objects.count() == before


def test_only_drafts_are_edited_and_a_withdrawn_one_is_again():
    proposal = proposal_transition(proposal=_draft(), to_status="proposed", actor=None)
    with pytest.raises(ProposalNotEditable):
        proposal_save(proposal=proposal, actor=None, **{**TEXT, "title": "otro"})
    proposal = proposal_transition(proposal=proposal, to_status="draft", actor=None)
    proposal = proposal_save(proposal=proposal, actor=None, **{**TEXT, "title": "otro"})
    assert proposal.title == "otro" and proposal.evidence_playbooks.count() == 0


def test_outcome_waits_for_acceptance():
    proposal = proposal_transition(proposal=_draft(), to_status="proposed", actor=None)
    with pytest.raises(ProposalOutcomeEarly):
        proposal_outcome_record(proposal=proposal, outcome="x", actor=None)


def test_editor_proposes_but_only_a_manager_decides(role_client):
    proposal = _draft()
    editor = role_client("editor")
    assert (
        editor.post(
            f"/markets/proposals/{proposal.pk}/move/", {"to_status": "proposed"}
        ).status_code
        == 302
    )
    assert (
        editor.post(
            f"/markets/proposals/{proposal.pk}/move/", {"to_status": "accepted"}
        ).status_code
        == 403
    )
    manager = role_client("manager")
    manager.post(f"/markets/proposals/{proposal.pk}/move/", {"to_status": "rejected", "note": "No"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == ("rejected", "No")
    page = manager.get(f"/markets/proposals/{proposal.pk}/").content.decode()
    assert proposal.evidence_playbooks.get().get_absolute_url() in page
    assert proposal.evidence_campaigns.get().get_absolute_url() in page
