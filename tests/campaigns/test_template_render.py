"""Rendering messages per creator: values, languages, escaping, StrictUndefined, helpers."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from jinja2.exceptions import UndefinedError

from campaigns.exceptions import TemplateRenderFailed
from campaigns.rendering import (
    SAMPLE_CREATOR,
    MessageRenderer,
    PreviewLinks,
    campaign_context_build,
    creator_context_build,
)
from creators.models import Creator

CAMPAIGN = campaign_context_build(
    {
        "id": 42,
        "name": "Reto LIVE de verano",
        "kind": "competition",
        "market": "MX",
        "send_at": datetime(2025, 7, 1, 16, 0, tzinfo=UTC),
    }
)

PUSH = {
    "title": "¡Hola {{ creator.first_name }}!",
    "body": (
        "{% if creator.locale == 'en' %}Your sales: {{ creator.gmv_30d|mxn }} since "
        "{{ creator.joined_at|date }}.{% else %}Tus ventas: {{ creator.gmv_30d|mxn }} desde el "
        "{{ creator.joined_at|date }}.{% endif %} {{ campaign.name }} cierra el "
        "{{ campaign.send_at|datetime }}."
    ),
    "link": "altavoz://retos/{{ campaign.id }}",
}


def creator(**changes):
    return creator_context_build({**SAMPLE_CREATOR, **changes})


def render(channel, fields, who, links=None):
    return MessageRenderer(channel, fields).render(
        creator=who, campaign=CAMPAIGN, links=links or PreviewLinks()
    )


def test_push_renders_for_a_spanish_creator():
    out = render("push", PUSH, creator(name="María José López", gmv_30d=Decimal("1234.5")))
    assert out["title"] == "¡Hola María!"
    # joined 2024-03-05 17:30 UTC is 11:30 in Mexico City; the campaign 16:00 UTC is 10:00
    assert out["body"] == (
        "Tus ventas: $1,234.50 MXN desde el 5 de marzo de 2024. Reto LIVE de verano cierra el "
        "1 de julio de 2025 a las 10:00."
    )
    assert out["link"] == "altavoz://retos/42"


def test_push_renders_for_an_english_creator_in_their_time_zone():
    out = render(
        "push", PUSH, creator(locale="en", timezone="America/Tijuana", gmv_30d=Decimal("-20"))
    )
    assert out["body"] == (
        "Your sales: -$20.00 MXN since March 5, 2024. Reto LIVE de verano cierra el "
        "July 1, 2025, 9:00 AM."
    )


def test_filters_for_numbers_and_dates():
    out = render(
        "inbox",
        {
            "title": "{{ creator.followers|number }} · {{ 1234567.891|number(2) }} · "
            "{{ 0|mxn(0) }}",
            "body": "{{ creator.joined_at|date('short') }} {{ creator.joined_at|date('long') }} "
            "{{ creator.last_active_at|date }}",
        },
        creator(followers=1250000),
    )
    assert out["title"] == "1,250,000 · 1,234,567.89 · $0 MXN"
    # last_active 2025-06-01 02:15 UTC is still 31 May in Mexico City
    assert out["body"] == "05/03/2024 martes 5 de marzo de 2024 31 de mayo de 2025"


def test_date_of_a_missing_value_is_empty():
    out = render(
        "push", {"title": "[{{ creator.last_active_at|date }}]"}, creator(last_active_at=None)
    )
    assert out["title"] == "[]"


def test_creator_context_from_a_model_instance():
    instance = Creator(
        handle="pepe.mx", name="", state="NLE", locale="en", gmv_30d=Decimal("10"), level=2
    )
    out = render(
        "push",
        {"title": "{{ creator.first_name }} {{ creator.state_name }} {{ creator.level }}"},
        creator_context_build(instance),
    )
    assert out["title"] == "pepe.mx Nuevo León 2"


def test_creator_columns_lists_what_the_templates_read():
    renderer = MessageRenderer("push", PUSH)
    assert set(renderer.creator_columns) == {
        "name",
        "handle",
        "locale",
        "timezone",
        "gmv_30d",
        "joined_at",
    }
    row = {column: SAMPLE_CREATOR[column] for column in renderer.creator_columns}
    out = renderer.render(
        creator=creator_context_build(row), campaign=CAMPAIGN, links=PreviewLinks()
    )
    assert out["title"] == "¡Hola María!"


def test_strict_undefined_fails_instead_of_rendering_blank():
    row = {"name": "Ana", "handle": "ana"}  # a .values() row without `level`
    with pytest.raises(TemplateRenderFailed) as caught:
        render(
            "push",
            {"title": "ok", "body": "Hola\nNivel {{ creator.level }}"},
            creator_context_build(row),
        )
    assert isinstance(caught.value.__cause__, UndefinedError)
    assert (caught.value.field, caught.value.line) == ("body", 2)


def test_html_escapes_creator_values_but_plain_text_does_not():
    who = creator(name="<script>alert('x')</script>", tags=['"><img src=x onerror=alert(1)>'])
    out = render(
        "email",
        {
            "subject": "Hola {{ creator.name }}",
            "html": '<p title="{{ creator.tags|first }}">Hola {{ creator.name }}</p>',
        },
        who,
    )
    assert "<script>" not in out["html"]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in out["html"]
    assert 'title="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in out["html"]
    assert out["subject"] == "Hola <script>alert('x')</script>"
    assert out["text"].strip() == "Hola <script>alert('x')</script>"


def test_helpers_render_preview_urls():
    out = render(
        "inbox",
        {
            "title": "x",
            "body": "{{ link('https://altavoz.mx/reto') }} {{ learn('vender-en-live') }} "
            "{{ preferences_url() }} {{ unsubscribe_url() }}",
        },
        creator(locale="en"),
        links=PreviewLinks(locale="en", base_url="https://app.altavoz.mx"),
    )
    assert out["body"] == (
        "https://altavoz.mx/reto https://app.altavoz.mx/learn/vender-en-live/?lang=en "
        "https://app.altavoz.mx/me/preferences/ https://app.altavoz.mx/u/preview/"
    )


def test_whatsapp_variables_render_as_an_object():
    out = render(
        "whatsapp",
        {
            "content_sid": "HX0123456789abcdef0123456789abcdef",
            "variables": {"1": "{{ creator.first_name }}", "2": "{{ creator.level + 1 }}"},
        },
        creator(),
    )
    assert out == {
        "content_sid": "HX0123456789abcdef0123456789abcdef",
        "variables": {"1": "María", "2": "4"},
    }


def test_blank_fields_are_left_out():
    out = render("push", {"title": "Hola", "body": "", "image": None}, creator())
    assert out == {"title": "Hola"}
