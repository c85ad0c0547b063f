"""Save-time checking: syntax, unknown names, with the line a person must fix."""

import pytest
from django.utils import translation

from campaigns.exceptions import TemplateInvalid
from campaigns.rendering import message_check, template_check
from common.exceptions import AltavozError


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(source: str, *, field: str = "body", channel: str = "push") -> TemplateInvalid:
    with pytest.raises(TemplateInvalid) as caught:
        template_check(source, field=field, channel=channel)
    return caught.value


def test_valid_template_is_accepted():
    template_check(
        "Hola {{ creator.first_name }} 👋\n"
        "{% if creator.level >= 3 %}Ya eres nivel {{ creator.level }}.{% endif %}\n"
        "Tus ventas: {{ creator.gmv_30d|mxn }} · {{ creator.followers|number }} seguidores\n"
        "{% for tag in creator.tags %}#{{ tag }} {% endfor %}\n"
        "{{ campaign.name }} – {{ link('https://altavoz.mx/reto') }} {{ learn('live-101') }}",
        field="body",
        channel="push",
    )


def test_syntax_error_is_refused_with_its_line():
    error = refused("Hola\n{{ creator.name }}\n{% if creator.level > 2 %}sin cerrar")
    assert error.line == 3
    assert "syntax error" in error.cause
    assert str(error).startswith("Line 3: ")
    assert isinstance(error, AltavozError)


def test_unclosed_expression_is_refused_with_its_line():
    assert refused("uno\ndos\n{{ creator.name ~ }}").line == 3


def test_misspelt_creator_field_is_refused_with_its_line_and_a_suggestion():
    error = refused("Hola\n\n{{ creator.nmae }}")
    assert error.line == 3
    assert "creator.nmae" in error.cause
    assert "name" in error.cause


def test_unknown_variable_is_refused_with_its_line():
    error = refused("Hola {{ creator.name }}\n{{ foo }}")
    assert error.line == 2
    assert "foo" in error.cause


def test_unknown_campaign_field_is_refused():
    error = refused("{{ campaign.name }}\n{{ campaign.nombre }}")
    assert (error.line, "campaign.nombre" in error.cause) == (2, True)


def test_unknown_creator_item_is_refused_like_an_attribute():
    assert refused("{{ creator['nmae'] }}").line == 1


def test_unknown_helper_is_refused():
    error = refused("x\n{{ track('https://a.mx') }}")
    assert error.line == 2
    assert "track()" in error.cause


def test_unknown_filter_is_refused_with_its_line():
    error = refused("x\ny\n{{ creator.name|shout }}")
    assert error.line == 3
    assert "shout" in error.cause


def test_unknown_test_is_refused():
    assert "famous" in refused("{% if creator.level is famous %}x{% endif %}").cause


def test_loop_variable_outside_a_loop_is_unknown():
    assert "loop" in refused("{{ loop.index }}").cause


def test_field_missing_from_the_sample_is_still_refused_statically():
    assert refused("{{ creator.gmv }}").line == 1


def test_runtime_error_in_trial_render_is_refused_with_its_line():
    error = refused("uno\n{{ creator.level / 0 }}")
    assert error.line == 2
    assert "ZeroDivisionError" in error.cause


def test_wrong_helper_arguments_are_refused_by_the_trial_render():
    assert refused("\n{{ learn() }}").line == 2


def test_includes_and_macros_are_refused():
    assert "include" in refused("{% include 'otro.html' %}").cause
    assert "macro" in refused("{% macro saludo() %}hola{% endmacro %}{{ saludo() }}").cause


def test_reserved_names_cannot_be_reassigned():
    assert "creator" in refused("{% set creator = 1 %}{{ creator }}").cause


def test_message_check_reports_every_bad_field_with_line():
    errors = message_check(
        "email",
        {
            "subject": "Hola {{ creator.first_name }}",
            "preheader": "{{ creator.nmae }}",
            "html": "<p>ok</p>\n<p>{{ foo }}</p>",
            "text": "",
        },
    )
    assert [(e.field, e.line) for e in errors] == [("preheader", 1), ("html", 2)]
    assert errors[1].message == "Line 2: " + errors[1].cause
    assert errors[1].as_dict()["field"] == "html"


def test_message_check_checks_each_whatsapp_variable():
    errors = message_check(
        "whatsapp",
        {
            "content_sid": "HX0123456789abcdef0123456789abcdef",
            "variables": {"1": "{{ creator.first_name }}", "2": "\n{{ creator.__class__ }}"},
        },
    )
    assert [(e.field, e.line) for e in errors] == [("variables.2", 2)]


def test_message_check_refuses_variables_that_are_not_an_object():
    errors = message_check("whatsapp", {"variables": ["{{ creator.name }}"]})
    assert [e.field for e in errors] == ["variables"]


def test_message_check_of_a_good_message_is_empty():
    assert (
        message_check(
            "inbox",
            {
                "title": "¡Nuevo reto, {{ creator.first_name }}!",
                "body": "Participa antes del {{ campaign.send_at|date }}.",
                "cta_label": "Ver reto",
                "cta_link": "https://altavoz.mx/retos/{{ campaign.id }}",
            },
        )
        == []
    )


def test_message_check_of_an_unknown_channel():
    assert [e.field for e in message_check("fax", {"body": "x"})] == ["channel"]
