"""The demo's education library (`manage.py seed_demo`): videos, guides and tutorials in
es-MX and English, published through the workflow (draft → in review → published), one
still in review, and a published learning path of the beginner lessons."""

from __future__ import annotations

from django.db import transaction

from education.models import ContentItem, LearningPath
from education.services import (
    content_item_transition,
    content_version_save,
    learning_path_items_set,
)

Kind, Topic, Status = ContentItem.Kind, ContentItem.Topic, ContentItem.Status

# (slug, kind, topic, level, minutes, video, (es title, es summary), (en title, en summary))
LESSONS: tuple[tuple[str, str, str, int, int, str, tuple[str, str], tuple[str, str]], ...] = (
    (
        "demo-buena-luz",
        Kind.VIDEO,
        Topic.CONTENT_QUALITY,
        1,
        6,
        "https://videos.example.com/altavoz/buena-luz.mp4",
        ("Graba con buena luz", "Luz natural, de frente y sin sombras duras."),
        ("Film in good light", "Natural light, from the front, no harsh shadows."),
    ),
    (
        "demo-primer-live",
        Kind.TUTORIAL,
        Topic.SELLING_LIVE,
        1,
        12,
        "",
        ("Tu primer LIVE paso a paso", "Prepara el set, los productos y el guion de apertura."),
        ("Your first LIVE, step by step", "Set, products and an opening script."),
    ),
    (
        "demo-links-afiliado",
        Kind.GUIDE,
        Topic.AFFILIATE_TOOLS,
        1,
        8,
        "",
        ("Cómo usar tus links de afiliado", "Dónde ponerlos y cómo medir tus ventas."),
        ("Using your affiliate links", "Where to put them and how to track your sales."),
    ),
    (
        "demo-politicas-contenido",
        Kind.GUIDE,
        Topic.POLICIES,
        2,
        10,
        "",
        ("Políticas de contenido sin sustos", "Lo que sí y lo que no al recomendar productos."),
        ("Content policies without surprises", "Do's and don'ts when recommending products."),
    ),
    (
        "demo-ganchos-3-segundos",
        Kind.VIDEO,
        Topic.CONTENT_QUALITY,
        2,
        4,
        "https://videos.example.com/altavoz/ganchos.mp4",
        ("Ganchos de 3 segundos", "Cómo abrir un video para que no lo salten."),
        ("Three-second hooks", "How to open a video so nobody skips it."),
    ),
    (
        "demo-vender-en-vivo-avanzado",
        Kind.TUTORIAL,
        Topic.SELLING_LIVE,
        3,
        18,
        "",
        ("Ventas en vivo: cierres y ofertas", "Ofertas por tiempo limitado y cómo cerrar."),
        ("Selling LIVE: closing and offers", "Limited-time offers and how to close."),
    ),
)
IN_REVIEW = (
    "demo-temporada-navidad",
    Kind.GUIDE,
    Topic.SELLING_LIVE,
    2,
    7,
    "",
    ("Temporada navideña: qué vender", "Los productos que más se mueven en diciembre."),
    ("Holiday season: what to sell", "The products that move most in December."),
)
BODY_ES = (
    "## Antes de grabar\n\nRevisa la luz, el audio y el encuadre.\n\n"
    "## Durante\n\n- Habla a cámara\n- Muestra el producto de cerca\n- Invita a comprar\n"
)
BODY_EN = (
    "## Before you film\n\nCheck the light, the sound and the framing.\n\n"
    "## While filming\n\n- Talk to the camera\n- Show the product up close\n- Ask them to buy\n"
)
PATH_SLUG = "demo-primeros-pasos"


def _lesson(spec: tuple, *, publish: bool) -> ContentItem:
    slug, kind, topic, level, minutes, video, (title_es, summary_es), (title_en, summary_en) = spec
    item = ContentItem.objects.create(
        slug=slug, kind=kind, topic=topic, level=level, agency="Estudio Nopal"
    )
    for locale, title, summary, body in (
        ("es-MX", title_es, summary_es, BODY_ES),
        ("en", title_en, summary_en, BODY_EN),
    ):
        content_version_save(
            item=item,
            locale=locale,
            title=title,
            summary=summary,
            body=body,
            video_url=video,
            duration_minutes=minutes,
        )
    content_item_transition(item=item, status=Status.IN_REVIEW)
    if publish:
        content_item_transition(item=item, status=Status.PUBLISHED)
    return item


@transaction.atomic
def education_demo_create() -> int:
    """The demo lessons and learning path, once; returns how many lessons were added."""
    if ContentItem.objects.filter(slug__startswith="demo-").exists():
        return 0
    lessons = [_lesson(spec, publish=True) for spec in LESSONS]
    _lesson(IN_REVIEW, publish=False)
    path = LearningPath.objects.create(
        slug=PATH_SLUG,
        title_es="Primeros pasos como creador",
        title_en="First steps as a creator",
        level=ContentItem.Level.BEGINNER,
        published=True,
    )
    learning_path_items_set(path=path, items=[item for item in lessons if item.level == 1])
    return len(lessons) + 1
