"""Approval (settings.REQUIRE_APPROVAL): an editor submits a draft, a manager approves it (and
it starts as planned) or rejects it with a note. Each step is audited."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns import drafting, services
from campaigns.exceptions import CampaignStateError
from campaigns.models import Campaign

Approval = Campaign.Approval


@transaction.atomic
def campaign_submit(*, campaign: Campaign, actor: User) -> Campaign:
    """Ask for approval of a complete draft."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT or campaign.approval_status == Approval.PENDING:
        raise services._refuse(campaign, _("submitted for approval"))
    services._check_launchable(campaign)
    campaign.approval_status = Approval.PENDING
    campaign.approval_requested_by = actor
    campaign.approval_requested_at = timezone.now()
    campaign.approval_decided_by, campaign.approval_decided_at = None, None
    campaign.approval_note = ""
    campaign.save(
        update_fields=[
            "approval_status",
            "approval_requested_by",
            "approval_requested_at",
            "approval_decided_by",
            "approval_decided_at",
            "approval_note",
        ]
    )
    audit_record(actor=actor, action="campaign.submit", target=campaign, detail={})
    return campaign


def _pending(campaign: Campaign, action: str) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.approval_status != Approval.PENDING or campaign.status != Campaign.Status.DRAFT:
        raise CampaignStateError(campaign.name, campaign.get_status_display(), action)
    return campaign


@transaction.atomic
def campaign_approve(*, campaign: Campaign, actor: User, note: str = "") -> Campaign:
    """Approve a submitted campaign and start it as its schedule plan says."""
    campaign = _pending(campaign, _("approved"))
    services._approval_decide(campaign, actor=actor, approved=True, note=note)
    return drafting.campaign_start(campaign=campaign, actor=actor)


@transaction.atomic
def campaign_reject(*, campaign: Campaign, actor: User, note: str) -> Campaign:
    """Send a submitted campaign back to its editor with a note; it stays a draft."""
    campaign = _pending(campaign, _("rejected"))
    services._approval_decide(campaign, actor=actor, approved=False, note=note)
    return campaign
