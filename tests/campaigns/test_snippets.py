"""Snippets: reusable blocks per language used as {{ snippet('slug') }} in any template,
checked at save (theirs and the templates that call them) and rendered in every channel, in
the message's language with the documented fallback."""

from __future__ import annotations

import pytest

from campaigns import dispatch, fanout, services
from campaigns.exceptions import SnippetInvalid, TemplateInvalid
from campaigns.models import Snippet
from campaigns.rendering import (
    SAMPLE_CAMPAIGN,
    SAMPLE_CREATOR,
    MessageRenderer,
    campaign_context_build,
    creator_context_build,
    message_check,
    template_check,
)
from campaigns.snippets import snippet_save
from channels.models import InboxMessage
from conversations.canned import canned_answer_check, canned_answer_render
from conversations.models import CannedAnswer, Conversation
from tests.campaigns.test_template_links import TRACKER, CountingLinks
from tests.support.factories import campaign_make, creators_make

RULES_ES = "Reglas para {{ creator.first_name }}: https://shop.example/reglas"
RULES_EN = "Rules for {{ creator.first_name }}: https://shop.example/rules"


@pytest.fixture
def rules(db):
    snippet_save(slug="reglas-mision", locale="es-MX", body=RULES_ES, actor=None)
    snippet_save(slug="reglas-mision", locale="en", body=RULES_EN, actor=None)


def _render(channel: str, fields: dict, *, locale: str, creator: dict | None = None) -> dict:
    links = CountingLinks()
    out = MessageRenderer(channel, fields, locale=locale).render(
        creator=creator_context_build(creator or SAMPLE_CREATOR),
        campaign=campaign_context_build(SAMPLE_CAMPAIGN),
        links=links,
    )
    return out


# --- the snippet's own save ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "cause"),
    [
        ("Hola\n{{ creator.nmae }}", 2, "creator.nmae"),
        ("{% if x %}", 1, "syntax error"),
        ("{{ ''.__class__ }}", 1, "Python internals"),
        ("Ver {{ snippet('otro') }}", 1, "cannot use other snippets"),
        ('<a href="javascript:alert(1)">x</a>', 1, "javascript"),
    ],
)
def test_a_bad_snippet_body_is_refused_with_its_line(db, body, line, cause):
    with pytest.raises(SnippetInvalid) as refused:
        snippet_save(slug="malo", locale="es-MX", body=body, actor=None)
    assert refused.value.line == line
    assert cause in str(refused.value)
    assert not Snippet.objects.exists()


def test_one_version_per_slug_and_language(rules):
    with pytest.raises(SnippetInvalid, match="already a snippet"):
        snippet_save(slug="reglas-mision", locale="en", body="otra", actor=None)
    assert Snippet.objects.count() == 2


# --- templates that call snippets ---------------------------------------------------------------


def test_an_unknown_snippet_is_refused_at_save_with_line_and_cause(rules):
    errors = message_check("push", {"title": "Hola", "body": "Mira:\n{{ snippet('reglas') }}"})

    assert [(e.field, e.line, e.cause) for e in errors] == [("body", 2, "unknown snippet “reglas”")]
    assert message_check("push", {"title": "Hola", "body": "{{ snippet('reglas-mision') }}"}) == []


@pytest.mark.parametrize("call", ["snippet(creator.handle)", "snippet()", "snippet('a', 'b')"])
def test_a_snippet_named_other_than_by_a_quoted_name_is_refused(rules, call):
    with pytest.raises(TemplateInvalid, match="in quotes"):
        template_check("{{ " + call + " }}", field="body", channel="push")


def test_a_canned_answer_can_use_a_snippet_and_is_checked_the_same(rules):
    canned_answer_check("Hola {{ snippet('reglas-mision') }}")
    with pytest.raises(TemplateInvalid, match="unknown snippet"):
        canned_answer_check("{{ snippet('nada') }}")


# --- rendering ---------------------------------------------------------------------------------


def test_snippets_render_in_every_channel_with_links_tracked(rules):
    call = "{{ snippet('reglas-mision') }}"
    outputs = {
        "email": _render("email", {"subject": "Hola", "html": f"<p>{call}</p>"}, locale="es-MX"),
        "whatsapp": _render("whatsapp", {"body": call, "variables": {"1": call}}, locale="es-MX"),
        "push": _render("push", {"title": "Hola", "body": call}, locale="es-MX"),
        "inbox": _render("inbox", {"title": "Hola", "body": call}, locale="es-MX"),
    }
    assert "<p>Reglas para María: " in outputs["email"]["html"]
    assert "Reglas para María" in outputs["email"]["text"]
    assert outputs["whatsapp"]["body"].startswith("Reglas para María: " + TRACKER)
    assert outputs["whatsapp"]["variables"]["1"].startswith("Reglas para María: " + TRACKER)
    assert outputs["push"]["body"].startswith("Reglas para María: " + TRACKER)
    assert outputs["inbox"]["body"].startswith("Reglas para María: " + TRACKER)


def test_the_messages_language_picks_the_version_with_fallback_to_es_mx(rules):
    snippet_save(slug="solo-es", locale="es-MX", body="Solo en español", actor=None)
    fields = {"title": "x", "body": "{{ snippet('reglas-mision') }} / {{ snippet('solo-es') }}"}

    english = _render("push", fields, locale="en")["body"]
    spanish = _render("push", fields, locale="es-MX")["body"]

    assert english.startswith("Rules for María") and english.endswith("/ Solo en español")
    assert spanish.startswith("Reglas para María")


def test_snippet_html_is_kept_and_creator_values_are_escaped_once(db):
    snippet_save(
        slug="pie-legal",
        locale="es-MX",
        body="<small>© Altavoz · {{ creator.name }}</small>",
        actor=None,
    )
    creator = {**SAMPLE_CREATOR, "name": "<b>Ana</b>"}

    html = _render(
        "email",
        {"subject": "x", "html": "<p>Hola</p>{{ snippet('pie-legal') }}"},
        locale="es-MX",
        creator=creator,
    )["html"]

    assert "<small>© Altavoz · &lt;b&gt;Ana&lt;/b&gt;</small>" in html


def test_an_edited_snippet_is_what_the_next_render_uses(rules):
    snippet = Snippet.objects.get(slug="reglas-mision", locale="es-MX")
    snippet_save(snippet=snippet, slug="reglas-mision", locale="es-MX", body="Nuevas", actor=None)
    body = _render("push", {"title": "x", "body": "{{ snippet('reglas-mision') }}"}, locale="es-MX")
    assert body["body"] == "Nuevas"


def test_dispatch_renders_snippets_in_each_deliverys_language(transactional_db):
    snippet_save(slug="reglas-mision", locale="es-MX", body=RULES_ES, actor=None)
    snippet_save(slug="reglas-mision", locale="en", body=RULES_EN, actor=None)
    creators_make(6)
    body = "Hola\n{{ snippet('reglas-mision') }}"
    campaign = campaign_make(
        channels=("inbox",),
        messages=[
            {"channel": "inbox", "locale": "es-MX", "title": "Reto", "body": body},
            {"channel": "inbox", "locale": "en", "title": "Challenge", "body": body},
        ],
    )
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)

    assert dispatch.campaign_dispatch(campaign_id=campaign.pk).claimed == 6

    english = InboxMessage.objects.get(creator__handle="creador_5")
    spanish = InboxMessage.objects.get(creator__handle="creador_1")
    assert english.body.startswith("Hola\nRules for Creadora")
    assert spanish.body.startswith("Hola\nReglas para Creadora")


def test_a_canned_answer_renders_the_snippet_in_the_answers_language(rules):
    creator = creators_make(6)[5]  # creador_5 is English
    answer = CannedAnswer.objects.create(
        title="Reglas", body_es_mx="{{ snippet('reglas-mision') }}", body_en=""
    )
    conversation = Conversation.objects.create(creator=creator, phone=creator.phone)

    text = canned_answer_render(answer=answer, conversation=conversation)

    assert text.startswith("Reglas para Creadora")  # the Spanish answer, so the Spanish rules


def test_dispatch_gives_a_snippet_the_creator_fields_only_it_reads(transactional_db):
    """Dispatch fetches only the creator columns the templates read: a snippet's own reads
    count too, though the template calling it names none of them."""
    snippet_save(
        slug="tu-nivel",
        locale="es-MX",
        body="{{ creator.handle }}: nivel {{ creator.level }}",
        actor=None,
    )
    creators_make(3)
    campaign = campaign_make(
        channels=("inbox",),
        messages=[
            {
                "channel": "inbox",
                "locale": "es-MX",
                "title": "x",
                "body": "{{ snippet('tu-nivel') }}",
            }
        ],
    )
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)

    assert dispatch.campaign_dispatch(campaign_id=campaign.pk).claimed == 3

    assert InboxMessage.objects.get(creator__handle="creador_2").body == "creador_2: nivel 2"
