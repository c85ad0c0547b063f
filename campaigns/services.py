"""Campaign lifecycle: create, schedule, launch, pause, resume, cancel.

Each service is one transaction that records the status change (who and when) and enqueues
work on commit. Fan-out lives in campaigns/fanout.py, sending in campaigns/dispatch.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, PeriodicTask

from audit.services import audit_record
from campaigns import policies
from campaigns.exceptions import (
    CampaignIncomplete,
    CampaignNotApproved,
    CampaignStateError,
    MessageInvalid,
)
from campaigns.launch_checks import launch_checks_run
from campaigns.models import Campaign, CampaignTransition, Delivery, Message
from campaigns.rendering import CHANNEL_FIELDS, message_check
from campaigns.whatsapp_templates import whatsapp_template_errors
from segments.models import Segment

logger = logging.getLogger(__name__)
Status = Campaign.Status
# Deliveries of a run that still have to be sent or settled by a worker.
OPEN_STATES = [Delivery.Status.PENDING, Delivery.Status.CLAIMED, Delivery.Status.SENDING]


def _transition(campaign: Campaign, to_status: str, *, actor: User | None, note: str = "") -> None:
    CampaignTransition.objects.create(
        campaign=campaign,
        from_status=campaign.status,
        to_status=to_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note,
    )
    audit_record(
        actor=actor,
        action=f"campaign.{to_status}",
        target=campaign,
        detail={"from": campaign.status, "to": to_status, **({"note": note} if note else {})},
    )
    campaign.status = to_status


def _refuse(campaign: Campaign, action: str) -> CampaignStateError:
    return CampaignStateError(campaign.name, campaign.get_status_display(), action)


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
    if campaign.status not in (Status.DRAFT, Status.SCHEDULED, Status.PAUSED):
        raise _refuse(campaign, _("edited"))
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


def _check_launchable(campaign: Campaign) -> None:
    if campaign.segment_id is None:
        raise CampaignIncomplete(_("Choose a segment before launching."))
    if not campaign.channels:
        raise CampaignIncomplete(_("Write at least one message before launching."))
    present = set(
        Message.objects.filter(campaign=campaign, step=0).values_list("channel", "locale")
    )
    missing = [
        channel
        for channel in campaign.channels
        if (channel, campaign.default_locale) not in present
    ]
    if missing:
        raise CampaignIncomplete(
            _(
                "Each channel needs a message in the default language (%(locale)s); missing: %(channels)s."
            )
            % {"locale": campaign.default_locale, "channels": ", ".join(missing)}
        )
    policies.campaign_policies_validate(campaign)
    variants = Message.objects.filter(campaign=campaign, step=0, locale=campaign.default_locale)
    for variant in campaign.variant_weights or {}:
        lacking = [
            channel
            for channel in campaign.channels
            if not variants.filter(channel=channel, variant=variant).exists()
        ]
        if lacking:
            raise CampaignIncomplete(
                _("Variant %(variant)s needs a message in the default language on: %(channels)s.")
                % {"variant": variant, "channels": ", ".join(lacking)}
            )


def approval_required() -> bool:
    from django.conf import settings

    return bool(settings.REQUIRE_APPROVAL)


def _check_approved(campaign: Campaign, *, actor: User | None) -> None:
    """With REQUIRE_APPROVAL on, only an approved campaign starts. Someone who may approve
    (a manager) approves it by launching it; the approval is recorded and audited."""
    if not approval_required() or campaign.approval_status == Campaign.Approval.APPROVED:
        return
    if actor is None or not actor.has_perm("campaigns.approve_campaign"):
        raise CampaignNotApproved(campaign.name)
    _approval_decide(campaign, actor=actor, approved=True, note=_("Approved by launching it"))


def approval_reset(*, campaign: Campaign) -> None:
    """A change to a submitted or approved campaign needs a new approval."""
    if campaign.approval_status in (Campaign.Approval.PENDING, Campaign.Approval.APPROVED):
        campaign.approval_status = ""
        campaign.save(update_fields=["approval_status"])


def _approval_decide(campaign: Campaign, *, actor: User, approved: bool, note: str = "") -> None:
    campaign.approval_status = (
        Campaign.Approval.APPROVED if approved else Campaign.Approval.REJECTED
    )
    campaign.approval_decided_by = actor
    campaign.approval_decided_at = timezone.now()
    campaign.approval_note = note[:500]
    campaign.save(
        update_fields=[
            "approval_status",
            "approval_decided_by",
            "approval_decided_at",
            "approval_note",
        ]
    )
    audit_record(
        actor=actor,
        action="campaign.approve" if approved else "campaign.reject",
        target=campaign,
        detail={"note": note} if note else {},
    )


@transaction.atomic
def campaign_launch(*, campaign: Campaign, actor: User | None = None) -> Campaign:
    """Start sending now: allocate a run, fan out and dispatch on commit.

    Launching a campaign that is already sending or sent is refused, so a double click or a
    retried request never creates a second run.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (Status.DRAFT, Status.SCHEDULED):
        raise _refuse(campaign, _("launched"))
    _check_launchable(campaign)
    launch_checks_run(campaign=campaign, actor=actor)
    _check_approved(campaign, actor=actor)
    return _run_start(campaign, actor=actor)


def _run_start(campaign: Campaign, *, actor: User | None, note: str = "") -> Campaign:
    from campaigns import tasks

    _transition(campaign, Status.SENDING, actor=actor, note=note)
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
        lambda: enqueue_or_leave_to_watchdog(tasks.campaign_fanout_enqueue, campaign.pk, run)
    )
    return campaign


def enqueue_or_leave_to_watchdog(send: Callable[..., Any], *args: Any) -> bool:
    """Enqueue a task after commit; if the broker is unreachable, log it and go on.

    What was committed is the source of truth: a run whose fan-out never ran
    (`fanout_run < last_run`) and a sending campaign with due deliveries and no live
    dispatcher are both enqueued again by `dispatch_watchdog` once the broker is back. So a
    broker hiccup neither fails the request that committed the change nor loses the work."""
    try:
        send(*args)
    except Exception:  # kombu's OperationalError, ChannelError, OSError…: all the same here.
        logger.exception("enqueue of %s%r failed; the watchdog will enqueue it again", send, args)
        return False
    return True


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
    if campaign.status not in (Status.DRAFT, Status.SCHEDULED):
        raise _refuse(campaign, _("scheduled"))
    if (send_at is None) == (crontab is None):
        raise CampaignIncomplete(_("Give either a send time or a recurring schedule."))
    _check_launchable(campaign)
    launch_checks_run(campaign=campaign, actor=actor)
    _check_approved(campaign, actor=actor)
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
        _transition(campaign, Status.SCHEDULED, actor=actor)
    campaign.send_at = send_at
    campaign.periodic_task = periodic
    campaign.save(update_fields=["status", "send_at", "periodic_task"])
    return campaign


def campaign_timezone() -> str:
    from django.conf import settings

    return settings.TIME_ZONE


@transaction.atomic
def campaign_launch_scheduled(*, campaign_id: int) -> Campaign | None:
    """Beat fired a campaign's schedule: start a run if it is (still) scheduled."""
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Status.SCHEDULED:
        return None
    return _run_start(campaign, actor=None, note=_("Started by its schedule"))


@transaction.atomic
def campaign_pause(*, campaign: Campaign, actor: User | None = None) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (Status.SENDING, Status.SCHEDULED):
        raise _refuse(campaign, _("paused"))
    _transition(campaign, Status.PAUSED, actor=actor)
    campaign.save(update_fields=["status"])
    if campaign.periodic_task_id:
        PeriodicTask.objects.filter(pk=campaign.periodic_task_id).update(enabled=False)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, actor: User | None = None) -> Campaign:
    from campaigns import tasks

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Status.PAUSED:
        raise _refuse(campaign, _("resumed"))
    unfinished = (
        campaign.last_run > 0
        and Delivery.objects.filter(
            campaign=campaign,
            run=campaign.last_run,
            status__in=OPEN_STATES,
        ).exists()
    )
    if unfinished or campaign.periodic_task_id is None:
        _transition(campaign, Status.SENDING, actor=actor)
        campaign.save(update_fields=["status"])
        transaction.on_commit(
            lambda: enqueue_or_leave_to_watchdog(tasks.campaign_dispatch_start, campaign.pk)
        )
    else:
        _transition(campaign, Status.SCHEDULED, actor=actor)
        campaign.save(update_fields=["status"])
        PeriodicTask.objects.filter(pk=campaign.periodic_task_id).update(enabled=True)
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, actor: User | None = None) -> Campaign:
    """Stop for good: pending deliveries become `cancelled` (in-flight ones finish)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status in (Status.SENT, Status.CANCELLED):
        raise _refuse(campaign, _("cancelled"))
    _transition(campaign, Status.CANCELLED, actor=actor)
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at"])
    Delivery.objects.filter(campaign=campaign, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED, updated_at=timezone.now()
    )
    if campaign.periodic_task_id:
        PeriodicTask.objects.filter(pk=campaign.periodic_task_id).update(enabled=False)
    return campaign


@transaction.atomic
def campaign_finish_if_done(*, campaign_id: int) -> bool:
    """Mark a sending campaign's run finished once nothing is pending or in flight.

    `unknown` deliveries don't hold a campaign open: they are listed for ops to settle.
    A recurring campaign goes back to `scheduled` for its next firing.
    """
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Status.SENDING:
        return False
    open_rows = Delivery.objects.filter(
        campaign=campaign,
        run=campaign.last_run,
        status__in=OPEN_STATES,
    )
    if open_rows.exists():
        return False
    if campaign.fanout_run < campaign.last_run:
        return False  # the run's fan-out is still to come (it was never enqueued, or queued)
    if campaign_has_test_phase(campaign) and campaign.winner_picked_at is None:
        return False  # the remainder is still to be sent, with the winner
    from campaigns import sequences

    if sequences.steps_pending(campaign=campaign):
        return False  # a sequence step is still to come (beat runs it when it is due)
    recurring = campaign.periodic_task_id is not None and campaign.send_at is None
    _transition(
        campaign,
        Status.SCHEDULED if recurring else Status.SENT,
        actor=None,
        note=_("All deliveries settled"),
    )
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at"])
    return True


def campaign_has_test_phase(campaign: Campaign) -> bool:
    return bool(campaign.test_percent) and len(campaign.variant_weights or {}) >= 2


def campaign_variant_results(*, campaign: Campaign, run: int) -> dict[str, dict[str, int]]:
    """Sent, opened and clicked deliveries per variant of a run (humans only: tracking sets
    first_opened_at / first_clicked_at for human events)."""
    from django.db.models import Count, Q

    rows = (
        Delivery.objects.filter(campaign=campaign, run=run, status=Delivery.Status.SENT)
        .exclude(variant="")
        .values("variant")
        .annotate(
            sent=Count("id"),
            opened=Count("id", filter=Q(first_opened_at__isnull=False)),
            clicked=Count("id", filter=Q(first_clicked_at__isnull=False)),
        )
    )
    results = {key: {"sent": 0, "opened": 0, "clicked": 0} for key in campaign.variant_weights}
    for row in rows:
        results[row["variant"]] = {key: row[key] for key in ("sent", "opened", "clicked")}
    return results


@transaction.atomic
def campaign_winner_pick(*, campaign_id: int, run: int, now: datetime | None = None) -> str | None:
    """End a test phase: pick the variant with the best CTR (or OR) among the test share and
    fan it out to the remainder. Runs once per run; the remainder never overlaps the test
    share (buckets) and the unique delivery key makes a repeat a no-op."""
    from campaigns import fanout, tasks

    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if (
        campaign is None
        or campaign.status not in (Status.SENDING, Status.PAUSED)
        or campaign.last_run != run
        or campaign.winner_picked_at is not None
        or not campaign_has_test_phase(campaign)
    ):
        return None
    metric = "clicked" if campaign.winner_metric == "ctr" else "opened"
    results = campaign_variant_results(campaign=campaign, run=run)

    def rate(key: str) -> float:
        sent = results[key]["sent"]
        return results[key][metric] / sent if sent else 0.0

    winner = max(sorted(results), key=rate)
    campaign.winner_variant, campaign.winner_picked_at = winner, now or timezone.now()
    campaign.save(update_fields=["winner_variant", "winner_picked_at"])
    audit_record(
        actor=None,
        action="campaign.winner",
        target=campaign,
        detail={"variant": winner, "metric": campaign.winner_metric, "results": results},
    )
    fanout.deliveries_create(campaign=campaign, run=run, phase="remainder", now=now)
    if campaign.status == Status.SENDING:
        transaction.on_commit(lambda: tasks.campaign_dispatch_start(campaign_id))
    return winner


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
)


@transaction.atomic
def campaign_policies_set(
    *, campaign: Campaign, actor: User | None = None, **policy: Any
) -> Campaign:
    """Set a campaign's sending policies (docs/policies.md) while it can still be edited."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (Status.DRAFT, Status.SCHEDULED, Status.PAUSED):
        raise _refuse(campaign, _("edited"))
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
    from campaigns import fanout, tasks

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
        transaction.on_commit(lambda: tasks.campaign_dispatch_start(campaign.pk))
    return created
