"""Re-send: put chosen `failed` or `unknown` deliveries of the current run back to `pending`
and start dispatch, which sends them as a new attempt.

`unknown` deliveries may have reached the creator already (the worker died mid-send), so
they are only reset when the operator says so explicitly (`include_unknown`). Rows that are
in any other state (sent, pending, in flight) are never touched: the status condition is in
the UPDATE itself, so a delivery settled meanwhile is not sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from campaigns import enqueue
from campaigns.lifecycle import (
    Action,
    campaign_action_allowed,
    campaign_refusal,
    campaign_transition,
)
from campaigns.models import Campaign, Delivery
from common.system_messages import SystemMessage

Status = Campaign.Status


@transaction.atomic
def deliveries_resend(
    *,
    campaign: Campaign,
    delivery_ids: Iterable[int],
    include_unknown: bool = False,
    actor: User | None = None,
) -> int:
    """Reset the chosen deliveries to pending and kick dispatch; returns how many were reset."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if (
        not campaign_action_allowed(campaign=campaign, action=Action.RESEND)
        or not campaign.last_run
    ):
        raise campaign_refusal(campaign=campaign, action=Action.RESEND)
    statuses = [Delivery.Status.FAILED] + ([Delivery.Status.UNKNOWN] if include_unknown else [])
    now = timezone.now()
    reset = Delivery.objects.filter(
        campaign=campaign,
        run=campaign.last_run,
        pk__in=list(delivery_ids),
        status__in=statuses,
    ).update(
        status=Delivery.Status.PENDING,
        # A fresh retry budget: a delivery that failed after DISPATCH_MAX_ATTEMPTS transient
        # errors (a provider outage) would otherwise fail again at the first hiccup.
        attempts=0,
        not_before=None,
        error_code="",
        error_message="",
        updated_at=now,
    )
    if not reset:
        return 0
    audit_record(
        actor=actor,
        action="campaign.resend",
        target=campaign,
        detail={"deliveries": reset, "include_unknown": include_unknown},
    )
    if campaign.status in (Status.SENT, Status.SCHEDULED):
        campaign_transition(
            campaign=campaign,
            to_status=Status.SENDING,
            actor=actor,
            note=SystemMessage("campaign.resend", count=reset),
        )
        campaign.finished_at = None
        campaign.save(update_fields=["status", "finished_at"])
    if campaign.status == Status.SENDING:
        campaign_id = campaign.pk
        transaction.on_commit(lambda: enqueue.campaign_dispatch_start(campaign_id))
    return reset
