"""`lesson_started` and `lesson_completed` (docs/events.md): once each per creator and item,
when its progress first gets a start or a completion (education.services.progress_report)."""

from __future__ import annotations

from education.models import LearningProgress
from events.services import event_emit


def lesson_events_emit(*, progress: LearningProgress, started: bool, completed: bool) -> None:
    item = progress.item
    props = {"lesson": item.pk, "slug": item.slug, "kind": item.kind}
    if started:
        event_emit(creator_id=progress.creator_id, name="lesson_started", props=props)
    if completed:
        event_emit(creator_id=progress.creator_id, name="lesson_completed", props=props)
