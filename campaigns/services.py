"""Campaign services: create, edit messages and policies, launch, schedule, pause, resume,
cancel.

Each service is one transaction that checks the action against the state machine
(campaigns/lifecycle.py), records the status change through it (who and when) and queues
work on commit (campaigns/enqueue.py). Approval is in campaigns/approvals.py, fan-out in
fanout.py, sending in dispatch.py, the rest of a run (finishing it, the watchdog) in runs.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, PeriodicTask

from audit.services import audit_record
from campaigns import enqueue, fanout, policies, triggers
from campaigns.approvals import approval_reset, campaign_approval_check
from campaigns.exceptions import CampaignIncomplete, MessageInvalid
from campaigns.launch_checks import launch_checks_run
from campaigns.lifecycle import (
    Action,
    campaign_action_allowed,
    campaign_action_check,
    campaign_launchable_check,
    campaign_transition,
)
from campaigns.models import Campaign, CampaignFiring, Delivery, Message
from campaigns.rendering import CHANNEL_FIELDS, message_check
from campaigns.whatsapp_templates import whatsapp_template_errors
from common.system_messages import SystemMessage
from segments.models import Segment

Status = Campaign.Status
logger = logging.getLogger(__name__)
# Deliveries of a run that still have to be sent or settled by a worker.
OPEN_STATES = [Delivery.Status.PENDING, Delivery.Status.CLAIMED, Delivery.Status.SENDING]


@transaction.atomic
def campaign_create(
    *,
    owner: User | None,
    name: str,
    kind: str,
    market: str = "MX",
    segment: Segment | None = None,
    default_locale: str = "es-MX",
    messages: Iterable[dict[str, Any]] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
    transactional: bool = False,
) -> Campaign:
    """Create a draft campaign with its messages (each checked: a bad template is refused)."""
    campaign = Campaign.objects.create(
        owner=owner if owner is not None and owner.is_authenticated else None,
        name=name,
        kind=kind,
        market=market,
        segment=segment,
        default_locale=default_locale,
        starts_on=starts_on,
        ends_on=ends_on,
        transactional=transactional,
    )
    for message in messages:
        fields = {
            key: value
            for key, value in message.items()
            if key not in ("channel", "locale", "variant")
        }
        campaign_message_set(
            campaign=campaign,
            channel=message["channel"],
            locale=message["locale"],
            fields=fields,
            variant=message.get("variant", ""),
        )
    return campaign


def campaign_message_set(
    *,
    campaign: Campaign,
    channel: str,
    locale: str,
    fields: dict[str, Any],
    variant: str = "",
    step: int = 0,
) -> Message:
    """Save one channel × language (× A/B variant) message after checking every template.
    `step`: a SequenceStep's id for a follow-up's message (0: the campaign's own).

    The templates are checked (trial renders, under the rendering budget) before the
    transaction starts, so no row is locked while they run."""
    campaign_action_check(campaign=campaign, action=Action.EDIT)
    message_fields_validate(channel=channel, locale=locale, fields=fields)
    with transaction.atomic():
        message, _created = Message.objects.update_or_create(
            campaign=campaign,
            channel=channel,
            locale=locale,
            variant=variant,
            step=step,
            defaults={"fields": fields, "updated_at": timezone.now()},
        )
        if step:
            approval_reset(campaign=campaign)
            return message
        # Saving a message adds its channel; channels dropped in the wizard's audience step
        # stay dropped even though their messages are kept.
        channels = sorted(set(campaign.channels) | {channel})
        if channels != campaign.channels:
            campaign.channels = channels
            campaign.save(update_fields=["channels"])
        approval_reset(campaign=campaign)
    return message


# The fields a message cannot go without, per channel (WhatsApp: a template or free text).
REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "email": (("subject",), ("html", "text")),
    "whatsapp": (("content_sid", "body"),),
    "push": (("title",), ("body",)),
    "inbox": (("title",), ("body",)),
}


def message_fields_validate(*, channel: str, locale: str, fields: dict[str, Any]) -> None:
    """Refuse a message with unknown or missing fields, or any template that fails its check."""
    if channel not in CHANNEL_FIELDS:
        raise MessageInvalid(
            channel, locale, [{"field": "channel", "line": 0, "message": _("Unknown channel.")}]
        )
    errors: list[dict[str, Any]] = []
    for name in fields:
        if name not in CHANNEL_FIELDS[channel]:
            errors.append(
                {
                    "field": name,
                    "line": 0,
                    "message": _("%(channel)s messages have no field “%(field)s”.")
                    % {"channel": channel, "field": name},
                }
            )
    for alternatives in REQUIRED_FIELDS[channel]:
        if not any(str(fields.get(name) or "").strip() for name in alternatives):
            errors.append(
                {
                    "field": alternatives[0],
                    "line": 0,
                    "message": _("Required: %(fields)s.") % {"fields": " / ".join(alternatives)},
                }
            )
    if (
        channel == "whatsapp"
        and fields.get("content_sid")
        and not isinstance(fields.get("variables", {}), dict)
    ):
        errors.append(
            {"field": "variables", "line": 0, "message": _("Variables must be an object.")}
        )
    if not errors:
        errors = [error.as_dict() for error in message_check(channel, fields)]
    if channel == "whatsapp" and not errors:
        errors = whatsapp_template_errors(locale=locale, fields=fields)
    if errors:
        raise MessageInvalid(channel, locale, errors)


@transaction.atomic
def campaign_launch(*, campaign: Campaign, actor: User | None = None) -> Campaign:
    """Start sending now: allocate a run, fan out and dispatch on commit.

    Launching a campaign that is already sending or sent is refused, so a double click or a
    retried request never creates a second run.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.LAUNCH)
    campaign_launchable_check(campaign=campaign)
    launch_checks_run(campaign=campaign, actor=actor)
    campaign_approval_check(campaign=campaign, actor=actor)
    if campaign.trigger:
        return _trigger_arm(campaign, actor=actor)
    return _run_start(campaign, actor=actor)


def _trigger_arm(campaign: Campaign, *, actor: User | None) -> Campaign:
    """A triggered campaign is armed, not sent: each matching event sends to its creator
    (campaigns/triggers.py). No run starts now; each batch of firing events makes one."""
    campaign_transition(
        campaign=campaign,
        to_status=Status.SENDING,
        actor=actor,
        note=SystemMessage("campaign.armed"),
    )
    campaign.launched_at = timezone.now()
    campaign.finished_at = None
    campaign.save(update_fields=["status", "launched_at", "finished_at"])
    triggers.armed_names_forget()
    return campaign


def _run_start(
    campaign: Campaign, *, actor: User | None, note: str | SystemMessage = ""
) -> Campaign:
    campaign_transition(campaign=campaign, to_status=Status.SENDING, actor=actor, note=note)
    campaign.last_run += 1
    campaign.launched_at = timezone.now()
    campaign.finished_at = None
    # Each run of an A/B test with a test phase picks its own winner.
    campaign.winner_variant, campaign.winner_picked_at = "", None
    campaign.save(
        update_fields=[
            "status",
            "last_run",
            "launched_at",
            "finished_at",
            "winner_variant",
            "winner_picked_at",
        ]
    )
    run = campaign.last_run
    transaction.on_commit(
        lambda: enqueue.enqueue_or_leave_to_watchdog(
            enqueue.campaign_fanout_enqueue, campaign.pk, run
        )
    )
    return campaign


@transaction.atomic
def campaign_schedule(
    *,
    campaign: Campaign,
    send_at: datetime | None = None,
    crontab: dict[str, str] | None = None,
    actor: User | None = None,
) -> Campaign:
    """Send at a time (one-off) or on a crontab (recurring), through django-celery-beat, so the
    schedule is editable in the admin and survives restarts."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.SCHEDULE)
    if campaign.trigger:
        raise CampaignIncomplete(
            _("A triggered campaign starts when its event happens: launch it to arm it.")
        )
    if (send_at is None) == (crontab is None):
        raise CampaignIncomplete(_("Give either a send time or a recurring schedule."))
    campaign_launchable_check(campaign=campaign)
    launch_checks_run(campaign=campaign, actor=actor)
    campaign_approval_check(campaign=campaign, actor=actor)
    task_name = f"campaign-{campaign.pk}"
    PeriodicTask.objects.filter(name=task_name).delete()
    if send_at is not None:
        if send_at <= timezone.now():
            raise CampaignIncomplete(_("The send time is in the past."))
        clocked = ClockedSchedule.objects.create(clocked_time=send_at)
        periodic = PeriodicTask.objects.create(
            name=task_name,
            task="campaigns.tasks.campaign_launch_scheduled",
            clocked=clocked,
            one_off=True,
            args=json.dumps([campaign.pk]),
        )
    else:
        schedule, _created = CrontabSchedule.objects.get_or_create(
            timezone=campaign_timezone(),
            **{key: str(value) for key, value in (crontab or {}).items()},
        )
        periodic = PeriodicTask.objects.create(
            name=task_name,
            task="campaigns.tasks.campaign_launch_scheduled",
            crontab=schedule,
            args=json.dumps([campaign.pk]),
        )
    if campaign.status != Status.SCHEDULED:
        campaign_transition(campaign=campaign, to_status=Status.SCHEDULED, actor=actor)
    campaign.send_at = send_at
    campaign.periodic_task = periodic
    campaign.save(update_fields=["status", "send_at", "periodic_task"])
    return campaign


def campaign_timezone() -> str:
    return settings.TIME_ZONE


@transaction.atomic
def campaign_launch_scheduled(*, campaign_id: int) -> Campaign | None:
    """Beat fired a campaign's schedule: start a run if it is scheduled; while a run is still
    open, queue the firing or skip it, as the campaign's `busy_firing` says. Every firing is
    recorded (`CampaignFiring`) with what came of it. Returns the campaign when a run
    started."""
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        return None
    Outcome, Reason = CampaignFiring.Outcome, CampaignFiring.Reason
    if campaign_action_allowed(campaign=campaign, action=Action.START_SCHEDULED):
        _run_start(campaign, actor=None, note=SystemMessage("campaign.scheduled_start"))
        CampaignFiring.objects.create(
            campaign=campaign,
            outcome=Outcome.STARTED,
            run=campaign.last_run,
            started_at=campaign.launched_at,
        )
        return campaign
    if campaign.status == Status.SENDING and campaign.busy_firing == Campaign.BusyFiring.QUEUE:
        CampaignFiring.objects.create(campaign=campaign, outcome=Outcome.QUEUED)
        logger.info("campaign %s fired during run %s: queued", campaign.pk, campaign.last_run)
        return None
    reason = {
        Status.SENDING: Reason.RUN_OPEN,
        Status.PAUSED: Reason.PAUSED,
    }.get(Status(campaign.status), Reason.NOT_SCHEDULED)
    CampaignFiring.objects.create(campaign=campaign, outcome=Outcome.SKIPPED, reason=reason)
    logger.warning("campaign %s fired while %s: skipped", campaign.pk, campaign.status)
    return None


def campaign_firing_queued_start(*, campaign: Campaign) -> bool:
    """In the transaction that finished a recurring campaign's run (the campaign locked and
    back to `scheduled`): start the oldest firing queued behind that run, if any."""
    queued = (
        CampaignFiring.objects.select_for_update()
        .filter(campaign=campaign, outcome=CampaignFiring.Outcome.QUEUED)
        .order_by("fired_at", "id")
        .first()
    )
    if queued is None or not campaign_action_allowed(
        campaign=campaign, action=Action.START_SCHEDULED
    ):
        return False
    _run_start(campaign, actor=None, note=SystemMessage("campaign.queued_start"))
    queued.outcome, queued.run = CampaignFiring.Outcome.STARTED_LATE, campaign.last_run
    queued.started_at = campaign.launched_at
    queued.save(update_fields=["outcome", "run", "started_at"])
    return True


@transaction.atomic
def campaign_pause(*, campaign: Campaign, actor: User | None = None) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.PAUSE)
    campaign_transition(campaign=campaign, to_status=Status.PAUSED, actor=actor)
    campaign.save(update_fields=["status"])
    if campaign.periodic_task_id:
        PeriodicTask.objects.filter(pk=campaign.periodic_task_id).update(enabled=False)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, actor: User | None = None) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.RESUME)
    unfinished = (
        campaign.last_run > 0
        and Delivery.objects.filter(
            campaign=campaign,
            run=campaign.last_run,
            status__in=OPEN_STATES,
        ).exists()
    )
    if unfinished or campaign.periodic_task_id is None:
        campaign_transition(campaign=campaign, to_status=Status.SENDING, actor=actor)
        campaign.save(update_fields=["status"])
        transaction.on_commit(
            lambda: enqueue.enqueue_or_leave_to_watchdog(
                enqueue.campaign_dispatch_start, campaign.pk
            )
        )
    else:
        campaign_transition(campaign=campaign, to_status=Status.SCHEDULED, actor=actor)
        campaign.save(update_fields=["status"])
        PeriodicTask.objects.filter(pk=campaign.periodic_task_id).update(enabled=True)
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, actor: User | None = None) -> Campaign:
    """Stop for good: pending deliveries become `cancelled` (in-flight ones finish)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.CANCEL)
    campaign_transition(campaign=campaign, to_status=Status.CANCELLED, actor=actor)
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at"])
    Delivery.objects.filter(campaign=campaign, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED, updated_at=timezone.now()
    )
    if campaign.trigger:
        triggers.armed_names_forget()
    if campaign.periodic_task_id:
        PeriodicTask.objects.filter(pk=campaign.periodic_task_id).update(enabled=False)
    CampaignFiring.objects.filter(campaign=campaign, outcome=CampaignFiring.Outcome.QUEUED).update(
        outcome=CampaignFiring.Outcome.SKIPPED, reason=CampaignFiring.Reason.CANCELLED
    )
    return campaign


POLICY_FIELDS = (
    "quiet_hours_start",
    "quiet_hours_end",
    "send_local_time",
    "spread_seconds",
    "transactional",
    "channel_priority",
    "variant_weights",
    "holdout_percent",
    "test_percent",
    "winner_metric",
    "winner_after_minutes",
    "busy_firing",
)


@transaction.atomic
def campaign_policies_set(
    *, campaign: Campaign, actor: User | None = None, **policy: Any
) -> Campaign:
    """Set a campaign's sending policies (docs/policies.md) while it can still be edited."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.EDIT)
    unknown = set(policy) - set(POLICY_FIELDS)
    if unknown:
        raise CampaignIncomplete(
            _("Unknown sending policy: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    policy = {name: value for name, value in policy.items() if getattr(campaign, name) != value}
    if not policy:
        return campaign
    for name, value in policy.items():
        setattr(campaign, name, value)
    policies.campaign_policies_validate(campaign)
    campaign.save(update_fields=list(policy))
    audit_record(
        actor=actor,
        action="campaign.policies",
        target=campaign,
        detail={name: str(value) for name, value in policy.items()},
    )
    approval_reset(campaign=campaign)
    return campaign


def delivery_fallback_after_bounce(*, delivery_id: int) -> int:
    """A provider reported, after accepting it, that a delivery can never arrive (hard bounce,
    number not on WhatsApp): for a campaign sent by channel priority that is still sending
    this run, create the creator's delivery on their next channel and restart dispatch."""
    delivery = Delivery.objects.select_related("campaign").filter(pk=delivery_id).first()
    if delivery is None:
        return 0
    campaign = delivery.campaign
    if (
        not campaign.channel_priority
        or campaign.status != Status.SENDING
        or delivery.run != campaign.last_run
    ):
        return 0
    created = fanout.fallback_deliveries_create(
        campaign=campaign, run=delivery.run, failed_ids=[delivery_id], bounced=True
    )
    if created:
        transaction.on_commit(lambda: enqueue.campaign_dispatch_start(campaign.pk))
    return created
