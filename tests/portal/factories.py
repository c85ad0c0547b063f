"""Portal and education test data: creators, sent deliveries, inbox messages, lessons."""

from __future__ import annotations

from django.utils import timezone

from campaigns.models import Campaign, Delivery
from channels.models import InboxMessage
from creators.models import Creator
from education import services as education_services
from education.models import ContentItem, LearningPath
from tests.campaigns.factories import campaign_make

GUIDE_BODY_ES = "\n\n".join(
    f"## Paso {n}\n\nGraba con buena luz y habla de tu producto con calma." for n in range(1, 9)
)
GUIDE_BODY_EN = "\n\n".join(
    f"## Step {n}\n\nFilm in good light and talk about your product calmly." for n in range(1, 9)
)


def creator_make(handle: str, *, locale: str = "es-MX", level: int = 3, **fields) -> Creator:
    defaults = {
        "name": handle.replace("_", " ").title(),
        "email": f"{handle}@example.com",
        "phone": "",
        "consent_email": "granted",
    }
    return Creator.objects.create(
        handle=handle, locale=locale, level=level, **{**defaults, **fields}
    )


def delivery_make(
    creator: Creator, *, channel: str = "email", campaign: Campaign | None = None
) -> Delivery:
    campaign = campaign or campaign_make(channels=(channel,), name=f"Campaign {creator.handle}")
    return Delivery.objects.create(
        campaign=campaign,
        run=1,
        channel=channel,
        creator=creator,
        locale=creator.locale,
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
    )


def inbox_message_make(creator: Creator, title: str = "Bienvenida") -> InboxMessage:
    delivery = delivery_make(creator, channel="inbox")
    return InboxMessage.objects.create(
        creator=creator,
        delivery=delivery,
        title=title,
        body=f"Hola {creator.name}",
        cta_label="Ver",
        cta_link="https://shop.example/m/1",
    )


def lesson_make(
    slug: str = "buena-luz",
    *,
    kind: str = "guide",
    level: int = 1,
    publish: bool = True,
    video_url: str = "",
) -> ContentItem:
    item = ContentItem.objects.create(slug=slug, kind=kind, topic="content_quality", level=level)
    education_services.content_version_save(
        item=item,
        locale="es-MX",
        title=f"Graba con buena luz ({slug})",
        summary="Luz natural, sin sombras.",
        body=GUIDE_BODY_ES,
        video_url=video_url,
        duration_minutes=5,
    )
    education_services.content_version_save(
        item=item,
        locale="en",
        title=f"Film in good light ({slug})",
        summary="Natural light, no shadows.",
        body=GUIDE_BODY_EN,
        video_url=video_url,
        duration_minutes=5,
    )
    if publish:
        education_services.content_item_transition(item=item, status="in_review")
        education_services.content_item_transition(item=item, status="published")
        item.refresh_from_db()
    return item


def path_make(slug: str, items: list[ContentItem]) -> LearningPath:
    path = LearningPath.objects.create(
        slug=slug, title_es="Curso de video", title_en="Video course", published=True
    )
    education_services.learning_path_items_set(path=path, items=items)
    return path
