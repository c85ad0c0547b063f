"""The campaign wizard's writes: basics, audience, schedule plan, and starting per the plan,
by a launch or by a manager's approval.

Each step edits the draft created at step one, so the wizard survives reloads; any edit drops
an earlier approval (see `approvals.approval_reset`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from campaigns import approvals, services
from campaigns.exceptions import CampaignIncomplete
from campaigns.lifecycle import Action, campaign_action_check
from campaigns.models import Campaign
from campaigns.triggers import trigger_normalize
from segments.models import Segment


@transaction.atomic
def campaign_basics_set(
    *,
    campaign: Campaign,
    name: str,
    kind: str,
    market: str,
    default_locale: str,
    starts_on: date | None,
    ends_on: date | None,
    transactional: bool = False,
) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.EDIT_DRAFT)
    campaign.name, campaign.kind, campaign.market = name, kind, market
    campaign.default_locale, campaign.starts_on, campaign.ends_on = (
        default_locale,
        starts_on,
        ends_on,
    )
    campaign.transactional = transactional
    campaign.save(
        update_fields=[
            "name",
            "kind",
            "market",
            "default_locale",
            "starts_on",
            "ends_on",
            "transactional",
        ]
    )
    approvals.approval_reset(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_audience_set(*, campaign: Campaign, segment: Segment, channels: list[str]) -> Campaign:
    """The segment and the channels to reach it on (messages of dropped channels are kept but
    not sent)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.EDIT_DRAFT)
    if not channels:
        raise CampaignIncomplete(_("Choose at least one channel."))
    campaign.segment = segment
    campaign.channels = sorted(set(channels))
    campaign.save(update_fields=["segment", "channels"])
    approvals.approval_reset(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_schedule_plan_set(
    *,
    campaign: Campaign,
    mode: str,
    send_at: datetime | None = None,
    crontab: dict[str, str] | None = None,
    trigger: dict[str, Any] | None = None,
) -> Campaign:
    """Remember how to start the campaign; nothing is scheduled until it is launched. Mode
    "event": a triggered campaign (docs/triggers.md), armed when launched; any other mode
    drops the trigger."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.EDIT_DRAFT)
    plan: dict[str, Any] = {"mode": mode}
    if mode == "at":
        if send_at is None:
            raise CampaignIncomplete(_("Give a send time."))
        plan["send_at"] = send_at.isoformat()
    elif mode == "recurring":
        if not crontab:
            raise CampaignIncomplete(_("Give a recurring schedule."))
        plan["crontab"] = crontab
    elif mode == "event":
        if not trigger:
            raise CampaignIncomplete(_("Give the event that starts the campaign."))
        campaign.trigger = trigger_normalize(trigger)
    elif mode != "now":
        raise CampaignIncomplete(_("Choose when to send."))
    if mode != "event":
        campaign.trigger = {}
    campaign.schedule_plan = plan
    campaign.save(update_fields=["schedule_plan", "trigger"])
    approvals.approval_reset(campaign=campaign)
    return campaign


def campaign_start(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Launch now, or schedule at the planned time or crontab (refused unless approved when
    approval is required)."""
    plan = campaign.schedule_plan or {"mode": "now"}
    if plan.get("mode") == "at":
        send_at = parse_datetime(plan.get("send_at", ""))
        return services.campaign_schedule(campaign=campaign, send_at=send_at, actor=actor)
    if plan.get("mode") == "recurring":
        return services.campaign_schedule(campaign=campaign, crontab=plan["crontab"], actor=actor)
    return services.campaign_launch(campaign=campaign, actor=actor)


@transaction.atomic
def campaign_approve(*, campaign: Campaign, actor: User, note: str = "") -> Campaign:
    """Approve a submitted campaign and start it as its schedule plan says (one transaction:
    if it cannot start, it stays waiting for approval)."""
    campaign = approvals.campaign_pending_lock(campaign=campaign, action=Action.APPROVE)
    approvals.approval_decide(campaign=campaign, actor=actor, approved=True, note=note)
    return campaign_start(campaign=campaign, actor=actor)
