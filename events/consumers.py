"""The hook higher apps use to react to events without events importing them.

`consumer_register(callback)` in an AppConfig.ready(); after each write of events commits,
every callback gets the list of `RecordedEvent`s just stored (accepted ones only, never
duplicates). Callbacks run in the request or task that recorded the events, so they must be
cheap: look at names, enqueue Celery work, return. campaigns registers its trigger router here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordedEvent:
    id: int
    creator_id: int
    name: str
    props: dict[str, Any]
    occurred_at: datetime


EventConsumer = Callable[[list[RecordedEvent]], None]
_CONSUMERS: list[EventConsumer] = []


def consumer_register(callback: EventConsumer) -> None:
    if callback not in _CONSUMERS:
        _CONSUMERS.append(callback)


def consumers_notify(*, events: list[RecordedEvent]) -> None:
    """Give the committed events to every consumer. One failing consumer is logged with its
    traceback and does not keep the events from the others (they are stored either way)."""
    if not events:
        return
    for callback in list(_CONSUMERS):
        try:
            callback(events)
        except Exception:
            logger.exception("event consumer %r failed on %d events", callback, len(events))


def consumer_unregister(callback: EventConsumer) -> None:
    if callback in _CONSUMERS:
        _CONSUMERS.remove(callback)
