"""Approval (settings.REQUIRE_APPROVAL): an editor submits a draft, a manager approves it (and
it starts as planned) or rejects it with a note; a manager who launches an unapproved campaign
approves it by doing so; any edit drops an earlier approval. Each decision is audited.

Everything about approval lives here. Approving also starts the campaign, so that one
service, `drafting.campaign_approve`, sits with the other ways of starting one (it decides
through `approval_decide` below): the launch path (campaigns/services.py) calls
`campaign_approval_check`, so this module cannot call the launch path back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from campaigns.exceptions import CampaignNotApproved
from campaigns.lifecycle import (
    Action,
    campaign_action_allowed,
    campaign_action_check,
    campaign_launchable_check,
    campaign_refusal,
)
from campaigns.models import Campaign
from common.system_messages import SystemMessage, system_messages_define

Approval = Campaign.Approval

system_messages_define({"campaign.launch_approved": gettext_lazy("Approved by launching it")})


def approval_required() -> bool:
    return bool(settings.REQUIRE_APPROVAL)


def approval_reset(*, campaign: Campaign) -> None:
    """A change to a submitted or approved campaign needs a new approval."""
    if campaign.approval_status in (Approval.PENDING, Approval.APPROVED):
        campaign.approval_status = ""
        campaign.save(update_fields=["approval_status"])


def approval_decide(
    *, campaign: Campaign, actor: User, approved: bool, note: str | SystemMessage = ""
) -> None:
    """Record a manager's decision on the campaign (audited as campaign.approve / .reject).
    A note the system writes is a `SystemMessage`, kept as its code (shown in the viewer's
    language); a manager's note is kept as written."""
    campaign.approval_status = Approval.APPROVED if approved else Approval.REJECTED
    campaign.approval_decided_by = actor
    campaign.approval_decided_at = timezone.now()
    if isinstance(note, SystemMessage):
        campaign.approval_note, campaign.approval_note_message = "", note.as_json()
    else:
        campaign.approval_note, campaign.approval_note_message = note[:500], {}
    campaign.save(
        update_fields=[
            "approval_status",
            "approval_decided_by",
            "approval_decided_at",
            "approval_note",
            "approval_note_message",
        ]
    )
    stored_note = note.as_json() if isinstance(note, SystemMessage) else note
    audit_record(
        actor=actor,
        action="campaign.approve" if approved else "campaign.reject",
        target=campaign,
        detail={"note": stored_note} if note else {},
    )


def campaign_approval_check(*, campaign: Campaign, actor: User | None) -> None:
    """With REQUIRE_APPROVAL on, only an approved campaign starts. Someone who may approve
    (a manager) approves it by launching it; the approval is recorded and audited."""
    if not approval_required() or campaign.approval_status == Approval.APPROVED:
        return
    if actor is None or not actor.has_perm("campaigns.approve_campaign"):
        raise CampaignNotApproved(campaign.name)
    approval_decide(
        campaign=campaign,
        actor=actor,
        approved=True,
        note=SystemMessage("campaign.launch_approved"),
    )


@transaction.atomic
def campaign_submit(*, campaign: Campaign, actor: User) -> Campaign:
    """Ask for approval of a complete draft."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.approval_status == Approval.PENDING:
        raise campaign_refusal(campaign=campaign, action=Action.SUBMIT)
    campaign_action_check(campaign=campaign, action=Action.SUBMIT)
    campaign_launchable_check(campaign=campaign)
    campaign.approval_status = Approval.PENDING
    campaign.approval_requested_by = actor
    campaign.approval_requested_at = timezone.now()
    campaign.approval_decided_by, campaign.approval_decided_at = None, None
    campaign.approval_note, campaign.approval_note_message = "", {}
    campaign.save(
        update_fields=[
            "approval_status",
            "approval_requested_by",
            "approval_requested_at",
            "approval_decided_by",
            "approval_decided_at",
            "approval_note",
            "approval_note_message",
        ]
    )
    audit_record(actor=actor, action="campaign.submit", target=campaign, detail={})
    return campaign


def campaign_pending_lock(*, campaign: Campaign, action: Action) -> Campaign:
    """Lock the campaign (inside the caller's transaction) and refuse `action` (approve,
    reject) unless it is a draft waiting for approval."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.approval_status != Approval.PENDING or not campaign_action_allowed(
        campaign=campaign, action=action
    ):
        raise campaign_refusal(campaign=campaign, action=action)
    return campaign


@transaction.atomic
def campaign_reject(*, campaign: Campaign, actor: User, note: str) -> Campaign:
    """Send a submitted campaign back to its editor with a note; it stays a draft."""
    campaign = campaign_pending_lock(campaign=campaign, action=Action.REJECT)
    approval_decide(campaign=campaign, actor=actor, approved=False, note=note)
    return campaign
