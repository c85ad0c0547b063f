"""Putting campaign work on the Celery broker: the one module that calls campaigns/tasks.py.

Services queue work through these functions (on commit); the tasks load by id and call the
services. Both directions are needed, so this module imports `tasks` inside each function:
that is the only function-level import inside campaigns that closes a cycle
(tasks → runs/services/… → enqueue ⇢ tasks), and there is no module-level cycle.

What was committed is the source of truth: `enqueue_or_leave_to_watchdog` logs a broker
that cannot take a task and goes on, and the watchdog (runs.dispatch_watchdog_run) queues the
work again once the broker is back, so a broker outage delays work, never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


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


def fanout_key(campaign_id: int, run: int) -> str:
    """Cache key set while a run's fan-out is queued (the watchdog does not queue it again)."""
    return f"altavoz:dispatch:fanout:{campaign_id}:{run}"


def campaign_fanout_enqueue(campaign_id: int, run: int) -> None:
    """Queue the run's fan-out; the watchdog queues it again if it has not run a lease later."""
    from campaigns import tasks

    tasks.campaign_fanout.delay(campaign_id, run)
    cache.set(fanout_key(campaign_id, run), 1, timeout=settings.DISPATCH_LEASE_SECONDS)


def campaign_dispatch_start(campaign_id: int) -> None:
    """Start `DISPATCH_PARALLELISM` dispatchers for the campaign."""
    from campaigns import tasks

    for _ in range(settings.DISPATCH_PARALLELISM):
        tasks.campaign_dispatch.delay(campaign_id)


def campaign_dispatch_later(campaign_id: int, *, countdown: float) -> None:
    """One dispatcher, `countdown` seconds from now (when the first retry is due)."""
    from campaigns import tasks

    tasks.campaign_dispatch.apply_async((campaign_id,), countdown=countdown)


def campaign_winner_pick_enqueue(campaign_id: int, run: int, *, countdown: float) -> None:
    """Pick the A/B winner of the run when its test phase ends, `countdown` seconds from now."""
    from campaigns import tasks

    tasks.campaign_winner_pick.apply_async((campaign_id, run), countdown=countdown)


def trigger_dispatch_key(campaign_id: int) -> str:
    """Cache key set while a dispatcher of a triggered campaign is queued and not started."""
    return f"altavoz:triggers:dispatch-queued:{campaign_id}"


def trigger_dispatch_enqueue(campaign_id: int) -> None:
    """A dispatcher for a triggered campaign's new deliveries, unless one is already queued
    and not started yet (it will claim them: it starts after they were committed). Each
    batch of events would otherwise queue its own dispatcher, hundreds a minute."""
    from campaigns import tasks

    if cache.add(trigger_dispatch_key(campaign_id), 1, timeout=settings.DISPATCH_LEASE_SECONDS):
        tasks.trigger_dispatch.delay(campaign_id)


def trigger_inbox_drain_key() -> str:
    return "altavoz:triggers:drain-queued"


def trigger_inbox_drain_enqueue() -> None:
    """A drain of the trigger inbox, unless one is queued and not started yet (it will take
    the events just pushed: it starts after them)."""
    from campaigns import tasks

    if cache.add(trigger_inbox_drain_key(), 1, timeout=settings.DISPATCH_LEASE_SECONDS):
        tasks.trigger_inbox_drain.delay()


def trigger_events_route_enqueue(events: list[dict]) -> None:
    """Hand recorded events to the triggered campaigns listening for them (campaigns/triggers.py)."""
    from campaigns import tasks

    tasks.trigger_events_route.delay(events)
