"""Altavoz's own events that come from apps below events, through their hooks (the apps
above call events.services.event_emit themselves). Registered in EventsConfig.ready()."""

from __future__ import annotations

from creators.models import ConsentStatus, Creator
from events.services import event_emit

# Every event Altavoz records itself (docs/events.md, "Built-in events"); message_opened and
# message_clicked come from the tracking drain.
BUILTIN_EVENTS = (
    "program_enrolled",
    "band_reached",
    "lesson_started",
    "lesson_completed",
    "whatsapp_replied",
    "metric_imported",
    "unsubscribed",
    "message_opened",
    "message_clicked",
)


def unsubscribed_emit(*, creator: Creator, channel: str, status: str, source: str) -> None:
    """creators.consent_hooks: a channel's consent changed; denied is `unsubscribed`."""
    if status == ConsentStatus.DENIED:
        event_emit(
            creator_id=creator.pk,
            name="unsubscribed",
            props={"channel": channel, "source": source},
        )
