"""Starter canned answers for the questions creators ask most on WhatsApp, in es-MX and en.
`canned_answers_seed()` adds the ones missing by title (the demo data calls it; ops edit or
delete them in the admin like any other)."""

from __future__ import annotations

from conversations.canned import canned_answer_check
from conversations.models import CannedAnswer

DEFAULT_CANNED_ANSWERS: tuple[dict[str, str], ...] = (
    {
        "title": "Cómo inscribirse",
        "body_es_mx": (
            "¡Hola, {{ creator.first_name }}! Para inscribirte a la misión abre el último mensaje "
            "que te enviamos y toca «Unirme». Si algo no te deja avanzar, escríbenos por aquí."
        ),
        "body_en": (
            "Hi {{ creator.first_name }}! To join the mission, open the last message we sent "
            'you and tap "Join". If anything gets in the way, write to us here.'
        ),
    },
    {
        "title": "Muestra no llegó",
        "body_es_mx": (
            "Lamentamos que tu muestra no haya llegado, {{ creator.first_name }}. Ya lo estamos "
            "revisando con paquetería y te escribimos en cuanto tengamos la guía de rastreo."
        ),
        "body_en": (
            "Sorry your sample has not arrived, {{ creator.first_name }}. We are checking with "
            "the carrier and will write as soon as we have the tracking number."
        ),
    },
    {
        "title": "Gracias",
        "body_es_mx": "¡Gracias por escribirnos, {{ creator.first_name }}! Seguimos en contacto.",
        "body_en": "Thanks for writing, {{ creator.first_name }}! We will stay in touch.",
    },
    {
        "title": "Cómo darse de baja",
        "body_es_mx": (
            "Si ya no quieres recibir mensajes por WhatsApp, responde BAJA. Si cambias de "
            "opinión, responde ALTA."
        ),
        "body_en": (
            "If you no longer want WhatsApp messages, reply STOP. If you change your mind, "
            "reply START."
        ),
    },
)


def canned_answers_seed() -> int:
    """Create the default answers whose title is not taken; returns how many were made."""
    made = 0
    for answer in DEFAULT_CANNED_ANSWERS:
        canned_answer_check(answer["body_es_mx"])
        canned_answer_check(answer["body_en"])
        _, created = CannedAnswer.objects.get_or_create(
            title=answer["title"],
            defaults={"body_es_mx": answer["body_es_mx"], "body_en": answer["body_en"]},
        )
        made += created
    return made
