"""A delivery whose template fails for its creator keeps why as codes (the field, the line and
the cause: campaigns/rendering/causes.py), so its note reads wholly in the viewer's language,
whatever language the worker ran in, and never in Jinja's own English."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

import pytest
from django.utils import translation

from campaigns import dispatch, fanout, services
from campaigns.exceptions import TemplateInvalid, TemplateRenderFailed
from campaigns.models import Campaign, Delivery, Message, Snippet
from campaigns.rendering import (
    SAMPLE_CREATOR,
    MessageRenderer,
    PreviewLinks,
    creator_context_build,
    template_check,
)
from campaigns.snippets import snippet_save
from common.system_messages import SystemMessage
from creators.models import Creator
from tests.support.factories import MESSAGES, campaign_make, creators_make

# Per language, words of the note that must be there, and words of the other language's note
# that must not (whole words: the parameters, a URL or a name, read the same in both).
ENGLISH_NOTE = ("Field", "line")
SPANISH_NOTE = ("Campo", "línea")


def readings(message: object) -> tuple[str, str]:
    with translation.override("en"):
        english = str(message)
    with translation.override("es-mx"):
        spanish = str(message)
    return english, spanish


def words_in(text: str, words: tuple[str, ...]) -> list[str]:
    return [word for word in words if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)]


def assert_each_in_its_language(
    message: object, *, english: tuple[str, ...], spanish: tuple[str, ...]
) -> None:
    """`english` are all in the English reading and none in the Spanish one; `spanish` the
    other way round (the Spanish assertions need the lead's translations)."""
    in_english, in_spanish = readings(message)
    assert words_in(in_english, english) == list(english), in_english
    assert words_in(in_spanish, spanish) == list(spanish), in_spanish
    assert words_in(in_spanish, english) == [], in_spanish
    assert words_in(in_english, spanish) == [], in_english


def assert_note_reads(
    failed: Delivery,
    english: str,
    spanish: str,
    *,
    english_words: tuple[str, ...],
    spanish_words: tuple[str, ...],
) -> None:
    """The delivery's note reads `english` in English and `spanish` in Spanish, and each has
    its words and none of the other's."""
    note = failed.error_note
    assert note is not None, failed.error_message
    assert readings(note) == (english, spanish)
    assert_each_in_its_language(
        note, english=(*ENGLISH_NOTE, *english_words), spanish=(*SPANISH_NOTE, *spanish_words)
    )


def failed_delivery(
    body: str,
    *,
    fields: dict[str, str] | None = None,
    before_dispatch: Callable[[Campaign], None] | None = None,
) -> Delivery:
    """Dispatch an inbox message with `body` (and `fields`; the same in both languages) to
    creador_0 (English, level 0) and creador_1 (Spanish, level 1), after `before_dispatch`,
    the worker in Spanish; the failed delivery (creador_1's if both failed)."""
    creators_make(2)
    campaign = campaign_make(
        channels=("inbox",),
        messages=[
            {
                "channel": "inbox",
                "locale": locale,
                **MESSAGES["inbox"],
                "body": body,
                **(fields or {}),
            }
            for locale in ("es-MX", "en")
        ],
    )
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    if before_dispatch is not None:
        before_dispatch(campaign)
    with translation.override("es-mx"):  # a worker's language
        dispatch.campaign_dispatch(campaign_id=campaign.pk)
    failed = Delivery.objects.filter(campaign=campaign, status=Delivery.Status.FAILED)
    last = failed.order_by("creator__handle").last()
    assert last is not None, "no delivery failed"
    return last


def test_a_refused_link_reads_in_the_viewers_language(transactional_db):
    def categories(campaign: Campaign) -> None:
        Creator.objects.update(category="https://altavoz.mx/belleza")
        Creator.objects.filter(handle="creador_1").update(category="javascript:alert(1)")

    failed = failed_delivery(
        "Hola", fields={"cta_link": "{{ creator.category }}"}, before_dispatch=categories
    )
    assert failed.creator.handle == "creador_1"
    assert failed.error_code == "render_link"
    note = failed.error_note
    assert note is not None and note.params["cause"].code == "render.link_not_web"
    english, spanish = readings(note)
    assert english.startswith("Field cta_link, line 1: “javascript:alert(1)” is not a web link")
    assert spanish.startswith("Campo cta_link, línea 1: “javascript:alert(1)” no es un enlace web")
    assert_each_in_its_language(
        note,
        english=(*ENGLISH_NOTE, "is not a web link", "must start with"),
        spanish=(*SPANISH_NOTE, "no es un enlace web", "deben empezar con"),
    )


def test_a_field_the_creator_or_the_event_lacks_reads_in_the_viewers_language(
    transactional_db,
):
    # Saved against the sample event (any prop); this campaign is not triggered: no props.
    failed = failed_delivery("Hola\n{{ event.props.pedido }}")
    assert failed.error_code == "render_error"
    note = failed.error_note
    assert note is not None
    assert note.params["cause"].params["detail"] == SystemMessage(
        "render.undefined_field", name="pedido"
    )
    assert_note_reads(
        failed,
        "Field body, line 2: undefined value: there is no field “pedido”",
        # needs the lead's translation of "there is no field “%(name)s”"
        "Campo body, línea 2: valor no definido: no existe el campo “pedido”",
        english_words=("undefined", "value", "there", "field"),
        spanish_words=("valor", "definido", "existe", "campo"),
    )


def test_an_undefined_variable_reads_in_the_viewers_language(transactional_db):
    def unchecked(campaign: Campaign) -> None:  # saved before the check knew the variable
        Message.objects.filter(campaign=campaign).update(
            fields={**MESSAGES["inbox"], "body": "Hola\n\n{{ premio }}"}
        )

    failed = failed_delivery("Hola", before_dispatch=unchecked)
    assert_note_reads(
        failed,
        "Field body, line 3: undefined value: the variable “premio” is not defined",
        # needs the lead's translation of "the variable “%(name)s” is not defined"
        "Campo body, línea 3: valor no definido: la variable “premio” no está definida",
        english_words=("undefined", "value", "is", "not", "defined"),
        spanish_words=("valor", "no", "definido", "está", "definida"),
    )


def test_the_rendering_budget_reads_in_the_viewers_language(transactional_db):
    loops = "{% for a in creator.tags %}{% for b in creator.tags %}{% endfor %}{% endfor %}"

    def heavy(campaign: Campaign) -> None:
        tags = [f"etiqueta-{index}" for index in range(300)]  # 90,000 iterations
        Creator.objects.filter(handle="creador_1").update(tags=tags)

    failed = failed_delivery("Hola\n" + loops, before_dispatch=heavy)
    assert failed.error_code == "render_budget"
    assert_note_reads(
        failed,
        "Field body, line 2: over the rendering budget: loops ran more than 10,000 times in all",
        "Campo body, línea 2: excede el presupuesto de generación: los ciclos se repitieron "
        "más de 10,000 veces en total",
        english_words=("over", "rendering", "budget", "loops", "times"),
        spanish_words=("presupuesto", "generación", "ciclos", "veces"),
    )


def test_a_missing_snippet_reads_in_the_viewers_language(transactional_db):
    snippet_save(slug="reglas", locale="es-MX", body="Reglas del reto", actor=None)

    def removed(campaign: Campaign) -> None:  # deleted after the message was saved
        Snippet.objects.all().delete()

    failed = failed_delivery("Hola\n{{ snippet('reglas') }}", before_dispatch=removed)
    assert_note_reads(
        failed,
        "Field body, line 2: unknown snippet “reglas”",
        "Campo body, línea 2: bloque reutilizable desconocido “reglas”",
        english_words=("unknown", "snippet"),
        spanish_words=("bloque", "reutilizable", "desconocido"),
    )


def test_an_error_no_message_describes_reads_as_a_failed_render_and_is_logged(
    transactional_db, caplog
):
    caplog.set_level(logging.WARNING, logger="campaigns.rendering.causes")
    failed = failed_delivery("Hola\n{{ 10 // creator.level }}")  # creador_0 is level 0
    assert failed.creator.handle == "creador_0"
    note = failed.error_note
    assert note is not None
    assert readings(note) == (
        "Field body, line 2: the template failed while rendering",
        # needs the lead's translation of "the template failed while rendering"
        "Campo body, línea 2: la plantilla falló al generarse",
    )
    assert "ZeroDivisionError" not in failed.error_message
    assert "ZeroDivisionError" in caplog.text


def test_a_note_stored_with_its_cause_as_text_still_reads():
    """Notes written before causes were codes keep their cause as it was written."""
    old = Delivery(
        error_message=json.dumps(
            {
                "code": "delivery.render_failed",
                "params": {
                    "field": "body",
                    "line": 2,
                    "cause": "undefined value: 'x' is undefined",
                },
            }
        )
    )
    assert readings(old.error_note) == (
        "Field body, line 2: undefined value: 'x' is undefined",
        "Campo body, línea 2: undefined value: 'x' is undefined",
    )


def test_a_note_too_long_for_its_field_says_less_but_still_reads():
    cause = SystemMessage("render.link_not_web", url="https://altavoz.mx/", schemes="x:" * 300)
    note = dispatch.render_failed_note(TemplateRenderFailed("body", 2, cause))
    assert len(note) <= Delivery._meta.get_field("error_message").max_length
    assert readings(Delivery(error_message=note).error_note) == (
        "Field body, line 2: the template failed while rendering",
        "Campo body, línea 2: la plantilla falló al generarse",
    )


def rendered_cause(body: str) -> SystemMessage:
    with pytest.raises(TemplateRenderFailed) as caught:
        MessageRenderer("inbox", {"title": "x", "body": body}).render(
            creator=creator_context_build(SAMPLE_CREATOR), campaign={}, links=PreviewLinks()
        )
    return caught.value.cause


# Templates the save check refuses, stopped at render time all the same (stored unchecked):
# the sandbox's refusals and Jinja's own errors, each a message read in the viewer's language.
# Every Spanish reading needs the lead's translations of the details.
@pytest.mark.parametrize(
    ("body", "english", "spanish"),
    [
        (
            "{{ creator.name.__class__ }}",
            "not allowed: the attribute “__class__” cannot be used",
            "no permitido: el atributo “__class__” no se puede usar",
        ),
        (
            "{{ ('x' * 10000) ~ ('x' * 10000) }}",
            "not allowed: the result would be longer than 10000 characters or items",
            "no permitido: el resultado tendría más de 10000 caracteres o elementos",
        ),
        (
            "{{ 2 ** 1000 }}",
            "not allowed: exponents above 100 are not allowed",
            "no permitido: no se permiten exponentes mayores que 100",
        ),
        (
            "{% for i in range(5000) %}{% endfor %}",
            "not allowed: range() is limited to 1000 items",
            "no permitido: range() está limitado a 1000 elementos",
        ),
        (
            "{{ creator.name.center(10) }}",
            "not allowed: method “center()” is not available",
            "no permitido: el método “center()” no está disponible",
        ),
        (
            "{{ (2 ** 100) ** 50 }}",
            "over the rendering budget: numbers are limited to 4096 bits (1233 digits)",
            "excede el presupuesto de generación: los números están limitados a 4096 bits "
            "(1233 dígitos)",
        ),
        ("{{ 'abc'|mxn }}", "“abc” is not a number", "“abc” no es un número"),
        ("{{ 'ayer'|date }}", "“ayer” is not a date", "“ayer” no es una fecha"),
        (
            "{{ creator.tags[5] }}",
            "undefined value: there is no item 5",
            "valor no definido: no existe el elemento 5",
        ),
    ],
)
def test_render_time_causes_read_in_the_viewers_language(body, english, spanish):
    assert readings(rendered_cause(body)) == (english, spanish)


def test_the_person_saving_still_reads_pythons_words_for_an_error_no_message_describes():
    with translation.override("en"), pytest.raises(TemplateInvalid) as caught:
        template_check("Hola\n{{ 10 // (creator.level - 3) }}", field="body", channel="inbox")
    assert caught.value.line == 2
    assert caught.value.cause.startswith("ZeroDivisionError: ")
