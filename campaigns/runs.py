"""A run after its launch: fan-out, dispatchers, the watchdog, and finishing.

The Celery tasks (campaigns/tasks.py) call these. `campaign_run_fanout` creates a run's
deliveries, queues the A/B winner pick and starts `DISPATCH_PARALLELISM` dispatchers;
`campaign_dispatcher_run` is one dispatcher, which on its way out finishes the run or comes
back when the first retry is due; `dispatch_watchdog_run` (beat, every few seconds) marks lost
in-flight deliveries `unknown`, reconciles old `unknown` ones (campaigns/reconcile.py), queues
fan-outs that never ran, finishes settled campaigns and restarts dispatch nobody is doing.
Queuing goes through campaigns/enqueue.py, so a broker outage delays work, never loses it.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from campaigns import dispatch, enqueue, experiments, fanout, reconcile, sequences
from campaigns.lifecycle import Action, campaign_action_allowed, campaign_transition
from campaigns.models import Campaign, Delivery
from campaigns.services import OPEN_STATES, campaign_firing_queued_start
from common.system_messages import SystemMessage

logger = logging.getLogger(__name__)
Status = Campaign.Status


def campaign_run_fanout(*, campaign_id: int, run: int) -> int:
    """Create the run's deliveries (idempotent) and start the dispatchers; with an A/B test
    phase, queue the winner pick for when it ends. A run that is no longer current is left."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.last_run != run or campaign.status != Status.SENDING:
        return 0
    created = fanout.deliveries_create(campaign=campaign, run=run)
    logger.info("campaign %s run %s: %s deliveries created", campaign_id, run, created)
    if experiments.campaign_has_test_phase(campaign):
        enqueue.campaign_winner_pick_enqueue(
            campaign_id, run, countdown=campaign.winner_after_minutes * 60
        )
    enqueue.campaign_dispatch_start(campaign_id)
    return created


def comeback_key(campaign_id: int) -> str:
    """Cache key set while a dispatcher is queued to come back for the campaign's retries."""
    return f"altavoz:dispatch:comeback:{campaign_id}"


def campaign_dispatcher_run(*, campaign_id: int) -> None:
    """One dispatcher: send what is due (campaigns/dispatch.py), then finish the run or, if
    only retries waiting for their backoff are left, come back when the first is due."""
    # A dispatcher is running: whoever finishes next may schedule the next comeback.
    cache.delete(comeback_key(campaign_id))
    report = dispatch.campaign_dispatch(campaign_id=campaign_id)
    logger.info(
        "campaign %s: dispatched %s (%s)", campaign_id, report.claimed, dict(report.outcomes)
    )
    if campaign_finish_if_done(campaign_id=campaign_id):
        return
    campaign = Campaign.objects.filter(pk=campaign_id, status=Status.SENDING).first()
    if campaign is None:
        return
    due = dispatch.next_due_at(
        campaign_id=campaign_id, run=None if campaign.trigger else campaign.last_run
    )
    if due is None:
        return
    # Only retries waiting for their backoff are left: come back when the first is due, once
    # (every dispatcher of the campaign ends here; one comeback is enough).
    wait = max(0.0, (due - timezone.now()).total_seconds())
    if cache.add(comeback_key(campaign_id), 1, timeout=int(wait) + 5):
        enqueue.campaign_dispatch_later(campaign_id, countdown=wait)


@transaction.atomic
def campaign_finish_if_done(*, campaign_id: int) -> bool:
    """Mark a sending campaign's run finished once nothing is pending or in flight.

    `unknown` deliveries don't hold a campaign open: they are listed for ops to settle.
    A recurring campaign goes back to `scheduled` for its next firing, and starts at once the
    firing queued behind this run, if there is one.
    """
    if Campaign.objects.filter(pk=campaign_id).exclude(trigger={}).exists():
        # An armed triggered campaign sends until it is cancelled; asked before taking the
        # row's lock, which its trigger processing holds while it fans a batch out.
        return False
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None or not campaign_action_allowed(campaign=campaign, action=Action.FINISH):
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
    if experiments.campaign_has_test_phase(campaign) and campaign.winner_picked_at is None:
        return False  # the remainder is still to be sent, with the winner
    if sequences.steps_pending(campaign=campaign):
        return False  # a sequence step is still to come (beat runs it when it is due)
    recurring = campaign.periodic_task_id is not None and campaign.send_at is None
    campaign_transition(
        campaign=campaign,
        to_status=Status.SCHEDULED if recurring else Status.SENT,
        actor=None,
        note=SystemMessage("campaign.settled"),
    )
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at"])
    if recurring:
        campaign_firing_queued_start(campaign=campaign)
    return True


def dispatch_watchdog_run() -> None:
    """Mark lost in-flight deliveries `unknown`, reconcile old `unknown` ones with their
    providers, queue fan-outs that never ran, restart dispatch for sending campaigns nobody is
    working on (a worker died), and finish settled campaigns."""
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
    for campaign_id, run, fanout_run, trigger in Campaign.objects.filter(
        status=Status.SENDING
    ).values_list("pk", "last_run", "fanout_run", "trigger"):
        if fanout_run < run:
            # Launched, but its fan-out never ran: the broker was unreachable when the launch
            # committed, or the queued task was lost. Fan-out is idempotent: queue it again.
            if not cache.get(enqueue.fanout_key(campaign_id, run)):
                logger.warning(
                    "watchdog: queueing the fan-out of campaign %s run %s", campaign_id, run
                )
                enqueue.enqueue_or_leave_to_watchdog(
                    enqueue.campaign_fanout_enqueue, campaign_id, run
                )
            continue
        if campaign_finish_if_done(campaign_id=campaign_id):
            continue
        if cache.get(dispatch.heartbeat_key(campaign_id)):
            continue
        if _dispatch_due(campaign_id=campaign_id, run=None if trigger else run):
            logger.info("watchdog: restarting dispatch of campaign %s", campaign_id)
            enqueue.campaign_dispatch_start(campaign_id)


def _dispatch_due(*, campaign_id: int, run: int | None) -> bool:
    """A pending delivery of the run (None: of any run, a triggered campaign's) may be
    claimed now."""
    pending = Delivery.objects.filter(campaign_id=campaign_id, status=Delivery.Status.PENDING)
    if run is not None:
        pending = pending.filter(run=run)
    return (
        pending.filter(not_before__isnull=True).exists()
        or pending.filter(not_before__lte=timezone.now()).exists()
    )
