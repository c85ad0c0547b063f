"""Celery tasks: each loads what it names by id (or parses its arguments) and calls a service.

The work is in the services: a run's fan-out, dispatchers and watchdog in campaigns/runs.py,
the A/B winner pick in experiments.py, sequence steps in sequences.py. Services queue these
tasks through campaigns/enqueue.py.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from campaigns import enqueue, experiments, runs, sequences, services, triggers
from campaigns.models import SequenceStep


def _moment(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else timezone.now()


@shared_task(acks_late=True)
def campaign_fanout(campaign_id: int, run: int) -> int:
    """Create the run's deliveries (idempotent) and start the dispatchers."""
    return runs.campaign_run_fanout(campaign_id=campaign_id, run=run)


@shared_task(acks_late=True)
def campaign_dispatch(campaign_id: int) -> None:
    runs.campaign_dispatcher_run(campaign_id=campaign_id)


@shared_task
def campaign_launch_scheduled(campaign_id: int) -> None:
    services.campaign_launch_scheduled(campaign_id=campaign_id)


@shared_task
def dispatch_watchdog() -> None:
    """Every few seconds (beat): see `runs.dispatch_watchdog_run`."""
    runs.dispatch_watchdog_run()


@shared_task(acks_late=True)
def campaign_winner_pick(campaign_id: int, run: int) -> str | None:
    """The test phase is over: send the best variant to the rest of the audience."""
    return experiments.campaign_winner_pick(campaign_id=campaign_id, run=run)


@shared_task
def sequence_steps_due(now: str | None = None) -> int:
    """Every minute (beat): execute the sequence steps whose time has come. `now`: ISO 8601,
    for a frozen clock in tests."""
    return sequences.steps_due_run(now=_moment(now))


@shared_task(acks_late=True)
def sequence_step_execute(step_id: int, run: int, now: str | None = None) -> int | None:
    """Fan one step out for a run (a no-op if it already was) and start the dispatchers."""
    step = SequenceStep.objects.get(pk=step_id)
    return sequences.step_run(step=step, run=run, now=_moment(now))


@shared_task
def sequence_entrants_add(now: str | None = None) -> int:
    """On a schedule (beat, SEQUENCE_ENTRANTS_MINUTES): let creators who newly match a running
    sequence's dynamic segment in, once each."""
    return sequences.entrants_run(now=_moment(now))


@shared_task(acks_late=True)
def trigger_events_route(events: list[dict]) -> dict[str, int]:
    """Recorded events some triggered campaign listens to: match and send (idempotent)."""
    return triggers.trigger_events_route_run(events=events)


@shared_task(acks_late=True)
def trigger_dispatch(campaign_id: int) -> None:
    """A dispatcher for a triggered campaign's new deliveries (see enqueue.trigger_dispatch_enqueue)."""
    cache.delete(enqueue.trigger_dispatch_key(campaign_id))
    runs.campaign_dispatcher_run(campaign_id=campaign_id)


@shared_task(acks_late=True)
def trigger_inbox_drain() -> int:
    """Route the trigger inbox's events to the triggered campaigns (campaigns/trigger_inbox.py)."""
    cache.delete(enqueue.trigger_inbox_drain_key())
    return triggers.trigger_inbox_drain()
