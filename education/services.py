"""Services that change the education library and record creators' progress."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from creators.models import Creator, Locale
from education.exceptions import ContentNotReady, TransitionNotAllowed
from education.lesson_events import lesson_events_emit
from education.models import ContentItem, ContentVersion, LearningPath, LearningProgress

Status = ContentItem.Status

# Which status each status may move to.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.IN_REVIEW, Status.ARCHIVED},
    Status.IN_REVIEW: {Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED},
    Status.PUBLISHED: {Status.ARCHIVED, Status.DRAFT},
    Status.ARCHIVED: {Status.DRAFT},
}

HALF, COMPLETE = 50, 100


@transaction.atomic
def content_item_transition(*, item: ContentItem, status: str) -> ContentItem:
    """Move an item along draft → in review → published → archived (and back to draft)."""
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if status not in TRANSITIONS.get(item.status, set()):
        raise TransitionNotAllowed(item.get_status_display(), Status(status).label)
    if status == Status.PUBLISHED and not item.versions.filter(locale=Locale.ES_MX).exists():
        raise ContentNotReady()
    now = timezone.now()
    item.status, item.updated_at = status, now
    if status == Status.PUBLISHED:
        item.published_at = now
    item.save(update_fields=["status", "updated_at", "published_at"])
    return item


@transaction.atomic
def content_version_save(*, item: ContentItem, locale: str, **fields: object) -> ContentVersion:
    """Create or replace the item's version in `locale` (title, summary, body, video_url,
    duration_minutes)."""
    version, _created = ContentVersion.objects.update_or_create(
        item=item, locale=locale, defaults={**fields, "updated_at": timezone.now()}
    )
    ContentItem.objects.filter(pk=item.pk).update(updated_at=timezone.now())
    return version


@transaction.atomic
def learning_path_items_set(*, path: LearningPath, items: list[ContentItem]) -> LearningPath:
    """Make `items`, in this order, the path's steps."""
    path.steps.all().delete()
    path.steps.bulk_create(
        [path.steps.model(path=path, item=item, position=index) for index, item in enumerate(items)]
    )
    return path


def progress_visit_record(
    *, creator: Creator, item: ContentItem, delivery_id: int | None = None
) -> LearningProgress:
    """A creator opened the item's page: the first visit creates their progress row (with
    the delivery that brought them, if any); later visits count."""
    progress, created = LearningProgress.objects.get_or_create(
        creator=creator, item=item, defaults={"delivery_id": delivery_id}
    )
    if not created:
        updates: dict[str, object] = {"visits": F("visits") + 1}
        if progress.delivery_id is None and delivery_id is not None:
            updates["delivery_id"] = delivery_id
        LearningProgress.objects.filter(pk=progress.pk).update(**updates)
        progress.refresh_from_db()
    return progress


@transaction.atomic
def progress_report(*, creator: Creator, item: ContentItem, percent: int) -> LearningProgress:
    """The page's player or reader reports how far the creator got. Progress only moves
    forward: started at any report, halfway at 50 %, completed at 100 %."""
    percent = max(0, min(COMPLETE, int(percent)))
    progress, _created = LearningProgress.objects.select_for_update().get_or_create(
        creator=creator, item=item
    )
    now = timezone.now()
    updates: dict[str, object] = {"percent": Greatest(F("percent"), percent)}
    if progress.started_at is None:
        updates["started_at"] = now
    if percent >= HALF and progress.half_at is None:
        updates["half_at"] = now
    if percent >= COMPLETE and progress.completed_at is None:
        updates["completed_at"] = now
    LearningProgress.objects.filter(pk=progress.pk).update(**updates)
    progress.refresh_from_db()
    lesson_events_emit(
        progress=progress, started="started_at" in updates, completed="completed_at" in updates
    )
    return progress
