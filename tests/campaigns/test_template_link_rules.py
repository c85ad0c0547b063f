"""Links in messages are web links (http/https) or the app deep links ops allow: anything else
(`javascript:`, `data:`, `file:`…) is refused at save with its line, and at render time
fails that delivery (docs/templates.md, "Link rules")."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from campaigns import dispatch, fanout, services
from campaigns.exceptions import TemplateInvalid, TemplateRenderFailed
from campaigns.models import Campaign, Delivery, Message
from campaigns.rendering import (
    SAMPLE_CREATOR,
    MessageRenderer,
    PreviewLinks,
    creator_context_build,
    template_check,
)
from channels.models import InboxMessage
from creators.models import Creator
from segments.services import segment_create
from tests.support.factories import MESSAGES, campaign_make, creators_make


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(source: str, *, field: str, channel: str) -> TemplateInvalid:
    with pytest.raises(TemplateInvalid) as caught:
        template_check(source, field=field, channel=channel)
    return caught.value


@pytest.mark.parametrize(
    ("channel", "field", "source"),
    [
        ("inbox", "body", "{{ link('javascript:alert(1)') }}"),
        ("inbox", "body", "{{ link('data:text/html,<script>alert(1)</script>') }}"),
        ("inbox", "body", "{{ link(' JavaScript:alert(1)') }}"),
        ("inbox", "body", "{{ link('java\\tscript:alert(1)') }}"),
        ("whatsapp", "body", "{{ link('file:///etc/passwd') }}"),
        ("push", "body", "{{ link('/retos/7') }}"),  # link() takes a full address
        ("inbox", "body", "{{ learn('../../admin') }}"),
        ("email", "html", "<a href=\"{{ learn('a/../../admin') }}\">x</a>"),
        ("email", "html", '<a href="javascript:alert(1)">x</a>'),
        ("email", "html", "<A HREF='JAVASCRIPT:alert(1)'>x</A>"),
        ("email", "html", '<a href="&#106;avascript:alert(1)">x</a>'),
        ("email", "html", '<a href=" java\tscript:alert(1)">x</a>'),
        ("email", "html", '<a href="data:text/html;base64,{{ creator.handle }}">x</a>'),
        ("email", "html", "<a href=\"{{ 'javas' ~ 'cript:alert(1)' }}\">x</a>"),
        ("email", "html", '<form action="javascript:alert(1)"><button>x</button></form>'),
    ],
)
def test_links_that_are_not_web_links_are_refused_on_save_with_their_line(channel, field, source):
    error = refused("Hola\n" + source, field=field, channel=channel)
    assert error.line == 2, error
    assert "not a web link" in error.cause or "slug" in error.cause


@pytest.mark.parametrize(
    ("channel", "field", "source"),
    [
        ("push", "link", "javascript:alert(1)"),
        ("push", "image", "data:image/svg+xml,<svg onload=alert(1)>"),
        ("inbox", "cta_link", " vbscript:msgbox(1)"),
        ("inbox", "cta_link", "{{ 'javascript' }}:alert(1)"),
    ],
)
def test_link_fields_that_are_not_web_links_are_refused_on_save(channel, field, source):
    error = refused(source, field=field, channel=channel)
    assert error.line == 1
    assert "not a web link" in error.cause


def test_the_line_is_the_one_of_the_refused_link():
    source = (
        '<p><a href="https://altavoz.mx/a">a</a></p>\n'
        '<p><a href="mailto:ayuda@altavoz.mx">b</a></p>\n'
        "<p><a href=\"{{ 'javascript' ~ ':alert(1)' }}\">c</a></p>\n"
    )
    assert refused(source, field="html", channel="email").line == 3


@pytest.mark.parametrize(
    ("channel", "field", "source"),
    [
        ("inbox", "body", "{{ link('https://altavoz.mx/reto') }} {{ learn('live-101') }}"),
        ("inbox", "body", "{{ link('tiktokshop://product/123', 'producto') }}"),
        ("push", "link", "altavoz://retos/{{ campaign.id }}"),
        ("push", "link", "tiktokshop://shop/{{ creator.handle }}"),
        ("inbox", "cta_link", "/me/inbox/"),
        (
            "email",
            "html",
            '<a href="https://altavoz.mx">w</a><a href="mailto:a@altavoz.mx">m</a>'
            '<a href="tel:+525512345678">t</a><a href="#arriba">a</a>'
            '<a href="{{ unsubscribe_url() }}">baja</a><a data-href="javascript:x">no es enlace</a>',
        ),
        ("whatsapp", "body", "Escribe javascript: en el buscador"),  # text, not a link
    ],
)
def test_web_app_and_contact_links_are_accepted(channel, field, source):
    template_check(source, field=field, channel=channel)


def test_deep_link_schemes_come_from_settings(settings):
    settings.ALTAVOZ_DEEP_LINK_SCHEMES = ["miapp"]
    template_check("{{ link('miapp://reto/1') }}", field="body", channel="inbox")
    error = refused("{{ link('tiktokshop://p/1') }}", field="body", channel="inbox")
    assert "(miapp:)" in error.cause


def render(channel: str, fields: dict, **creator: object) -> dict:
    # As dispatch renders: no save-time check on the way, the creator's own data.
    return MessageRenderer(channel, fields).render(
        creator=creator_context_build({**SAMPLE_CREATOR, **creator}),
        campaign={},
        links=PreviewLinks(),
    )


@pytest.mark.parametrize(
    ("channel", "fields", "field", "line"),
    [
        ("inbox", {"title": "x", "body": "Hola\n{{ link(creator.category) }}"}, "body", 2),
        ("inbox", {"title": "x", "body": "x", "cta_link": "{{ creator.category }}"}, "cta_link", 1),
        ("push", {"title": "x", "body": "x", "link": " {{ creator.category }}"}, "link", 1),
        (
            "email",
            {
                "subject": "x",
                "html": '<p>Hola</p>\n<a href="{{ creator.category }}">tu categoría</a>',
            },
            "html",
            2,
        ),
        (
            "email",
            {"subject": "x", "html": "<a href='{{ creator.category|e }}'>a</a>"},
            "html",
            1,
        ),
    ],
)
def test_a_link_made_from_creator_data_cannot_become_javascript(channel, fields, field, line):
    assert render(channel, fields, category="https://altavoz.mx/belleza")
    for payload in ("javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "data:text/html,x"):
        with pytest.raises(TemplateRenderFailed) as caught:
            render(channel, fields, category=payload)
        assert (caught.value.field, caught.value.line) == (field, line)
        assert caught.value.code == "render_link"
        assert "not a web link" in caught.value.cause


def test_learn_with_a_slug_from_creator_data_is_refused_at_render_time():
    with pytest.raises(TemplateRenderFailed) as caught:
        render(
            "inbox", {"title": "x", "body": "{{ learn(creator.category) }}"}, category="../../admin"
        )
    assert caught.value.code == "render_link"


def test_the_wizard_refuses_a_javascript_href_with_its_line(role_client):
    campaign = campaign_make(channels=("email",), locales=("es-MX",))
    client = role_client("editor")
    response = client.post(
        f"/campaigns/{campaign.pk}/messages/",
        {
            "channel": "email",
            "locale": "es-MX",
            "subject": "Hola",
            "html": '<p>Hola</p>\n<p><a href="javascript:alert(1)">gana</a></p>',
        },
    )
    assert response.status_code == 400
    error = re.search(r'data-testid="template-error">([^<]*)<', response.content.decode()).group(1)
    assert "Line 2" in error and "not a web link" in error
    stored = Message.objects.get(campaign=campaign, channel="email", locale="es-MX")
    assert stored.fields == MESSAGES["email"]


def test_the_api_refuses_a_javascript_link_with_its_line(api_client):
    segment = segment_create(name="Todos", rules={"all": []})
    payload = {
        "name": "Reto",
        "kind": "competition",
        "market": "MX",
        "segment_id": segment.pk,
        "default_locale": "es-MX",
        "messages": [
            {
                "channel": "inbox",
                "locale": "es-MX",
                **MESSAGES["inbox"],
                "body": "Hola\n{{ link('javascript:alert(1)') }}",
            },
            {"channel": "push", "locale": "es-MX", **MESSAGES["push"], "link": "data:text/html,x"},
        ],
    }
    response = api_client.post("/api/campaigns", payload, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["channel"], error["field"], error["line"]) == ("inbox", "body", 2)
    assert "not a web link" in error["message"]
    assert not Campaign.objects.exists()


def test_a_delivery_whose_link_would_be_javascript_fails_and_the_others_go(transactional_db):
    creators_make(4)
    Creator.objects.update(category="https://altavoz.mx/belleza")
    Creator.objects.filter(handle="creador_2").update(category="javascript:alert(1)")
    campaign = campaign_make(channels=("inbox",))
    for locale in ("es-MX", "en"):
        services.campaign_message_set(
            campaign=campaign,
            channel="inbox",
            locale=locale,
            fields={
                **MESSAGES["inbox"],
                "body": "Hola\n{{ link('https://altavoz.mx/' ~ creator.category) }}",
                "cta_link": "{{ creator.category }}",
            },
        )
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)

    with translation.override("es-mx"):  # a worker's language
        dispatch.campaign_dispatch(campaign_id=campaign.pk)

    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.creator.handle == "creador_2"
    assert failed.error_code == "render_link"
    note = str(failed.error_note)  # kept as a code, read in the viewer's language
    assert note.startswith("Field cta_link, line 1:")
    with translation.override("es-mx"):
        assert str(failed.error_note).startswith("Campo cta_link, línea 1:")
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3
    assert InboxMessage.objects.count() == 3
    assert not InboxMessage.objects.filter(cta_link__icontains="javascript").exists()
