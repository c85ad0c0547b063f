"""Celery tasks, and the small helpers that queue them.

Most tasks load by id and call a service. Two orchestrate: `campaign_fanout` creates a run's
deliveries, queues the A/B winner pick and starts `DISPATCH_PARALLELISM` dispatchers; and
`dispatch_watchdog` (beat, every few seconds) marks lost in-flight deliveries `unknown`,
reconciles old `unknown` ones (campaigns/reconcile.py), queues fan-outs that never ran,
finishes settled campaigns and restarts dispatch nobody is doing. Queuing goes through
`services.enqueue_or_leave_to_watchdog`, so a broker outage delays work, never loses it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from campaigns import dispatch, fanout, reconcile, sequences, services
from campaigns.models import Campaign, Delivery, SequenceStep

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def campaign_fanout(campaign_id: int, run: int) -> int:
    """Create the run's deliveries (idempotent) and start the dispatchers."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.last_run != run or campaign.status != Campaign.Status.SENDING:
        return 0
    created = fanout.deliveries_create(campaign=campaign, run=run)
    logger.info("campaign %s run %s: %s deliveries created", campaign_id, run, created)
    if services.campaign_has_test_phase(campaign):
        campaign_winner_pick.apply_async(
            (campaign_id, run), countdown=campaign.winner_after_minutes * 60
        )
    campaign_dispatch_start(campaign_id)
    return created


def _fanout_key(campaign_id: int, run: int) -> str:
    return f"altavoz:dispatch:fanout:{campaign_id}:{run}"


def campaign_fanout_enqueue(campaign_id: int, run: int) -> None:
    """Queue the run's fan-out; the watchdog queues it again if it has not run a lease later."""
    campaign_fanout.delay(campaign_id, run)
    cache.set(_fanout_key(campaign_id, run), 1, timeout=settings.DISPATCH_LEASE_SECONDS)


def campaign_dispatch_start(campaign_id: int) -> None:
    for _ in range(settings.DISPATCH_PARALLELISM):
        campaign_dispatch.delay(campaign_id)


def _comeback_key(campaign_id: int) -> str:
    return f"altavoz:dispatch:comeback:{campaign_id}"


@shared_task(acks_late=True)
def campaign_dispatch(campaign_id: int) -> None:
    # A dispatcher is running: whoever finishes next may schedule the next comeback.
    cache.delete(_comeback_key(campaign_id))
    report = dispatch.campaign_dispatch(campaign_id=campaign_id)
    logger.info(
        "campaign %s: dispatched %s (%s)", campaign_id, report.claimed, dict(report.outcomes)
    )
    _after_dispatch(campaign_id)


def _after_dispatch(campaign_id: int) -> None:
    if services.campaign_finish_if_done(campaign_id=campaign_id):
        return
    campaign = Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).first()
    if campaign is None:
        return
    due = dispatch.next_due_at(campaign_id=campaign_id, run=campaign.last_run)
    if due is None:
        return
    # Only retries waiting for their backoff are left: come back when the first is due, once
    # (every dispatcher of the campaign ends here; one comeback is enough).
    wait = max(0.0, (due - timezone.now()).total_seconds())
    if cache.add(_comeback_key(campaign_id), 1, timeout=int(wait) + 5):
        campaign_dispatch.apply_async((campaign_id,), countdown=wait)


@shared_task
def campaign_launch_scheduled(campaign_id: int) -> None:
    services.campaign_launch_scheduled(campaign_id=campaign_id)


@shared_task
def dispatch_watchdog() -> None:
    """Every few seconds (beat): mark lost in-flight deliveries `unknown`, reconcile old
    `unknown` ones with their providers, queue fan-outs that never ran, restart dispatch for
    sending campaigns nobody is working on (a worker died), and finish settled campaigns."""
    lost = dispatch.deliveries_mark_lost()
    if lost:
        logger.warning("watchdog: %s deliveries were in flight on a lost worker; now unknown", lost)
    try:
        reconciled = reconcile.deliveries_reconcile()
    except Exception:  # a provider lookup failing must not stop the watchdog's other duties
        logger.exception("watchdog: reconciling unknown deliveries failed; next time")
    else:
        if reconciled:
            logger.warning("watchdog: unknown deliveries reconciled: %s", reconciled)
    for campaign_id, run, fanout_run in Campaign.objects.filter(
        status=Campaign.Status.SENDING
    ).values_list("pk", "last_run", "fanout_run"):
        if fanout_run < run:
            # Launched, but its fan-out never ran: the broker was unreachable when the launch
            # committed, or the queued task was lost. Fan-out is idempotent: queue it again.
            if not cache.get(_fanout_key(campaign_id, run)):
                logger.warning(
                    "watchdog: queueing the fan-out of campaign %s run %s", campaign_id, run
                )
                services.enqueue_or_leave_to_watchdog(campaign_fanout_enqueue, campaign_id, run)
            continue
        if services.campaign_finish_if_done(campaign_id=campaign_id):
            continue
        if cache.get(dispatch.heartbeat_key(campaign_id)):
            continue
        due = (
            Delivery.objects.filter(
                campaign_id=campaign_id,
                run=run,
                status=Delivery.Status.PENDING,
                not_before__isnull=True,
            ).exists()
            or Delivery.objects.filter(
                campaign_id=campaign_id,
                run=run,
                status=Delivery.Status.PENDING,
                not_before__lte=timezone.now(),
            ).exists()
        )
        if due:
            logger.info("watchdog: restarting dispatch of campaign %s", campaign_id)
            campaign_dispatch_start(campaign_id)


@shared_task(acks_late=True)
def campaign_winner_pick(campaign_id: int, run: int) -> str | None:
    """The test phase is over: send the best variant to the rest of the audience."""
    return services.campaign_winner_pick(campaign_id=campaign_id, run=run)


@shared_task
def sequence_steps_due(now: str | None = None) -> int:
    """Every minute (beat): execute the sequence steps whose time has come. `now`: ISO 8601,
    for a frozen clock in tests."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    executed = 0
    for due in sequences.steps_due(now=moment):
        executed += sequence_step_execute(due.step.pk, due.run, now) is not None
    return executed


@shared_task(acks_late=True)
def sequence_step_execute(step_id: int, run: int, now: str | None = None) -> int | None:
    """Fan one step out for a run (a no-op if it already was) and start the dispatchers."""
    step = SequenceStep.objects.get(pk=step_id)
    moment = datetime.fromisoformat(now) if now else timezone.now()
    created = sequences.step_execute(step=step, run=run, now=moment)
    if created:
        campaign_dispatch_start(step.campaign_id)
    return created


@shared_task
def sequence_entrants_add(now: str | None = None) -> int:
    """On a schedule (beat, SEQUENCE_ENTRANTS_MINUTES): let creators who newly match a running
    sequence's dynamic segment in, once each."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    added = 0
    campaigns = Campaign.objects.filter(
        status=Campaign.Status.SENDING, sequence_steps__removed=False
    ).distinct()
    for campaign in campaigns.select_related("segment"):
        created = sequences.entrants_add(campaign=campaign, now=moment)
        if created:
            logger.info("campaign %s: %s late entrants", campaign.pk, created)
            campaign_dispatch_start(campaign.pk)
        added += created
    return added
