from __future__ import annotations

from django.db.models import QuerySet

from events.models import Event


def creator_events_get(*, creator_id: int) -> QuerySet[Event]:
    """A creator's events, newest first (served by the (creator_id, name, occurred_at) index)."""
    return Event.objects.filter(creator_id=creator_id).order_by("-occurred_at", "-id")
