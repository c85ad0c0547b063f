"""Queries the portal and the ops pages read the library with."""

from __future__ import annotations

from django.db import connection
from django.db.models import Prefetch, QuerySet

from creators.models import Creator
from education.models import ContentItem, LearningPath, LearningPathItem, LearningProgress


def content_items_published(*, locale: str = "", level: int | None = None) -> QuerySet[ContentItem]:
    """Published items with a version in `locale` (any version when blank), up to `level`."""
    items = ContentItem.objects.filter(status=ContentItem.Status.PUBLISHED)
    if locale:
        items = items.filter(versions__locale=locale)
    if level is not None:
        items = items.filter(level__lte=level)
    return items.prefetch_related("versions").distinct().order_by("level", "slug")


def content_items_recommended(*, creator: Creator) -> QuerySet[ContentItem]:
    """Published items that messages sent to this creator link with `learn('slug')`."""
    from campaigns.models import Delivery, Message
    from education.analytics import LEARN_REGEX_SQL

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT i.id FROM {ContentItem._meta.db_table} i
            JOIN {Message._meta.db_table} m ON m.fields::text ~ ({LEARN_REGEX_SQL})
            JOIN {Delivery._meta.db_table} d ON d.campaign_id = m.campaign_id
                 AND d.channel = m.channel AND d.locale = m.locale
            WHERE d.creator_id = %s AND d.status = 'sent' AND i.status = 'published'
            """,
            [creator.pk],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return (
        ContentItem.objects.filter(pk__in=ids)
        .prefetch_related("versions")
        .order_by("level", "slug")
    )


def content_item_published_get(*, slug: str) -> ContentItem | None:
    return (
        ContentItem.objects.filter(slug=slug, status=ContentItem.Status.PUBLISHED)
        .prefetch_related("versions")
        .first()
    )


def learning_paths_published(*, level: int | None = None) -> QuerySet[LearningPath]:
    paths = LearningPath.objects.filter(published=True)
    if level is not None:
        paths = paths.filter(level__lte=level)
    steps = LearningPathItem.objects.filter(
        item__status=ContentItem.Status.PUBLISHED
    ).select_related("item")
    return paths.prefetch_related(Prefetch("steps", queryset=steps)).order_by("level", "slug")


def creator_progress_by_item(*, creator: Creator) -> dict[int, LearningProgress]:
    """The creator's progress rows, by item id (only theirs: the portal's one read path)."""
    return {row.item_id: row for row in LearningProgress.objects.filter(creator=creator)}


def creator_level_for_library(creator: Creator) -> int:
    """Creators' levels (0-7) mapped onto the library's beginner/intermediate/advanced."""
    if creator.level >= 5:
        return ContentItem.Level.ADVANCED
    if creator.level >= 2:
        return ContentItem.Level.INTERMEDIATE
    return ContentItem.Level.BEGINNER
