"""The rendering budget: templates cannot exhaust a request or a worker, however they compose
loops, joins and concatenation (docs/templates.md, "Budgets")."""

from __future__ import annotations

import time

import pytest
from django.utils import translation
from jinja2.exceptions import SecurityError

from campaigns import dispatch, fanout, services
from campaigns.exceptions import MessageInvalid, TemplateInvalid, TemplateRenderFailed
from campaigns.models import Delivery
from campaigns.rendering import (
    SAMPLE_CREATOR,
    MessageRenderer,
    PreviewLinks,
    creator_context_build,
    message_check,
    template_check,
)
from channels.models import InboxMessage
from creators.models import Creator
from tests.support.factories import campaign_make, creators_make

# Each piece within the older caps (a 10,000-character string, range() of 1,000, loops two
# deep); together 10 GB of text per render, and 80 s of a save request before the budget.
NESTED = (
    "Hola {{ creator.first_name }}\n"
    "{% set s = 'x' * 10000 %}{% for i in range(1000) %}{% for j in range(1000) %}{{ s }}"
    "{% endfor %}{% endfor %}"
)
CONCAT = "Hola\n{{ ('x' * 10000) ~ ('x' * 10000) ~ ('x' * 10000) }}"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(source: str, *, field: str = "body", channel: str = "inbox") -> TemplateInvalid:
    with pytest.raises(TemplateInvalid) as caught:
        template_check(source, field=field, channel=channel)
    return caught.value


def test_nested_loops_are_refused_on_save_in_under_a_second_with_their_line(db):
    campaign = campaign_make(channels=("inbox",), locales=("es-MX",))
    started = time.monotonic()
    with pytest.raises(MessageInvalid) as caught:
        services.campaign_message_set(
            campaign=campaign,
            channel="inbox",
            locale="es-MX",
            fields={"title": "Reto", "body": NESTED},
        )
    elapsed = time.monotonic() - started
    print(f"nested-loop template refused on save in {elapsed:.3f}s")
    assert elapsed < 1.0
    error = caught.value.errors[0]
    assert (error["field"], error["line"]) == ("body", 2)
    assert "rendering budget" in error["message"]
    assert "10,000 characters" in error["message"]  # the inbox body's cap


def test_nested_loops_are_refused_in_an_email_too_where_the_cap_is_1_mb():
    started = time.monotonic()
    error = refused(NESTED.replace("Hola", "<p>Hola"), field="html", channel="email")
    elapsed = time.monotonic() - started
    print(f"nested-loop email refused in {elapsed:.3f}s")
    assert elapsed < 1.0
    assert error.line == 2
    assert "1,000,000 characters" in error.cause


def test_joining_three_pieces_is_refused_like_repeating_them():
    error = refused(CONCAT)
    assert error.line == 2
    assert "longer than 10000" in error.cause


@pytest.mark.parametrize(
    "payload",
    [
        # output captured in a {% set %} block counts as written
        "{% set s = 'x' * 10000 %}{% set b %}{% for i in range(1000) %}{{ s }}{% endfor %}"
        "{% endset %}{{ b|length }}",
        # loops that write nothing still count their iterations
        "{% for i in range(1000) %}{% for j in range(1000) %}{% set k = i * j %}{% endfor %}"
        "{% endfor %}",
        # joins, methods and filters that multiply their input
        "{% set s = 'x' * 10000 %}{{ ([s] * 10)|join(s)|length }}",
        "{% set s = 'x' * 10000 %}{{ s.join([s, s, s, s, s, s, s, s, s, s, s])|length }}",
        "{% set s = 'x' * 10000 %}{{ s.replace('', s)|length }}",
        "{% set s = 'x\\n' * 5000 %}{{ s|indent(200)|length }}",
        "{% set s = 'x' * 10000 %}{{ s|wordwrap(1, wrapstring=s)|length }}",
        # lists, tuples and dicts written in the template are sized like built ones
        "{% set s = 'x' * 10000 %}{% set t = (s, s, s, s, s, s, s, s, s, s, s) %}{{ t|length }}",
        "{% set s = 'x' * 10000 %}{{ (('%s' * 11) % (s, s, s, s, s, s, s, s, s, s, s))|length }}",
        "{{ [1]|batch(1000000, 'x')|list|length }}",
        "{{ [1]|slice(1000000)|list|length }}",
        # numbers that grow without bound
        "{% set a = 10 ** 100 %}{% set b = a ** 100 %}{{ (b * b) % 7 }}",
    ],
)
def test_compositions_that_beat_each_single_cap_are_refused(payload):
    started = time.monotonic()
    error = refused("Hola\n" + payload)
    assert time.monotonic() - started < 1.0
    assert error.line == 2


@pytest.mark.parametrize(
    ("channel", "field", "cap"),
    [("whatsapp", "body", 1_600), ("inbox", "title", 200), ("push", "body", 4_096)],
)
def test_each_field_has_its_channels_size_cap(channel, field, cap):
    template_check("x" * cap, field=field, channel=channel)
    error = refused(f"{{{{ 'x' * {cap + 1} }}}}", field=field, channel=channel)
    assert f"{cap:,} characters" in error.cause
    error = refused("y" * (cap + 1), field=field, channel=channel)  # template text alone
    assert f"{cap:,} characters" in error.cause


# Within every size cap, but slow: 20 upper-casings of 90,000 characters per iteration,
# 10,000 iterations (the loop cap), writing nothing.
SLOW = (
    "Hola\n{% set s = 'x' * 10000 %}{% set big = ([s] * 9)|join %}"
    "{% for i in range(1000) %}{% for j in range(10) %}"
    + "{% set n = (big|upper)|length %}" * 20
    + "{% endfor %}{% endfor %}"
)


def test_a_whole_message_shares_one_trial_render_deadline():
    variables = {str(key): SLOW for key in range(1, 20)}
    started = time.monotonic()
    errors = message_check("whatsapp", {"content_sid": "HX1", "variables": variables})
    elapsed = time.monotonic() - started
    print(f"19 slow WhatsApp variables checked in {elapsed:.3f}s")
    assert elapsed < 1.5
    assert len(errors) == 19
    assert all("too long" in error.cause for error in errors)


def render(fields: dict, creator: dict, channel: str = "inbox") -> dict:
    # Straight through MessageRenderer, as dispatch does: no save-time check on the way.
    return MessageRenderer(channel, fields).render(
        creator=creator_context_build(creator), campaign={}, links=PreviewLinks()
    )


def test_an_unchecked_template_is_stopped_at_render_time_with_a_budget_error():
    from campaigns.rendering.budget import RenderBudgetExceeded

    started = time.monotonic()
    with pytest.raises(TemplateRenderFailed) as caught:
        render({"title": "x", "body": NESTED}, dict(SAMPLE_CREATOR))
    assert time.monotonic() - started < 1.0
    assert isinstance(caught.value.__cause__, RenderBudgetExceeded)
    assert isinstance(caught.value.__cause__, SecurityError)
    assert (caught.value.field, caught.value.line, caught.value.code) == (
        "body",
        2,
        "render_budget",
    )


def test_time_is_a_budget_too():
    started = time.monotonic()
    with pytest.raises(TemplateRenderFailed) as caught:
        render({"title": "x", "body": SLOW}, dict(SAMPLE_CREATOR))
    elapsed = time.monotonic() - started
    print(f"slow template stopped after {elapsed:.3f}s")
    assert elapsed < 1.5
    assert caught.value.code == "render_budget"
    assert "too long" in caught.value.cause


def test_methods_the_save_check_refuses_are_refused_at_render_time_too():
    with pytest.raises(TemplateRenderFailed) as caught:
        render({"title": "x", "body": "{{ creator.name.center(100000000) }}"}, dict(SAMPLE_CREATOR))
    assert isinstance(caught.value.__cause__, SecurityError)


# Passes the save check (the sample creator has two tags), loops over a creator's own tags.
PER_CREATOR = "Hola {{ creator.first_name }}\n{% for a in creator.tags %}{% for b in creator.tags %}{{ a }}{% endfor %}{% endfor %}"


def test_a_template_over_budget_for_one_creator_fails_only_that_delivery(transactional_db):
    template_check(PER_CREATOR, field="body", channel="inbox")
    creators_make(6)
    heavy = Creator.objects.get(handle="creador_3")
    heavy.tags = [f"etiqueta-{index}" for index in range(300)]  # 90,000 iterations
    heavy.save(update_fields=["tags"])
    campaign = campaign_make(channels=("inbox",))
    for locale in ("es-MX", "en"):
        services.campaign_message_set(
            campaign=campaign,
            channel="inbox",
            locale=locale,
            fields={"title": "Reto", "body": PER_CREATOR},
        )
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)

    started = time.monotonic()
    report = dispatch.campaign_dispatch(campaign_id=campaign.pk)
    print(f"dispatch of 6 deliveries, one over budget: {time.monotonic() - started:.3f}s")

    assert report.claimed == 6
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.creator_id == heavy.pk
    assert failed.error_code == "render_budget"
    note = str(failed.error_note)  # kept as a code, read in the viewer's language
    assert "Field body, line 2" in note
    assert "over the rendering budget" in note
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 5
    assert InboxMessage.objects.count() == 5
    assert not InboxMessage.objects.filter(creator=heavy).exists()


def test_the_live_preview_uses_the_same_budget(role_client):
    campaign = campaign_make(channels=("inbox",), locales=("es-MX",))
    client = role_client("editor")
    url = f"/campaigns/{campaign.pk}/messages/preview/"
    warm = client.post(url, {"channel": "inbox", "locale": "es-MX", "title": "R", "body": "Hola"})
    assert warm.status_code == 200  # the first request of a process loads the URLconf, templates…
    started = time.monotonic()
    response = client.post(
        url, {"channel": "inbox", "locale": "es-MX", "title": "Reto", "body": NESTED}
    )
    elapsed = time.monotonic() - started
    print(f"preview of the nested-loop template answered in {elapsed:.3f}s")
    assert elapsed < 1.5
    html = response.content.decode()
    assert 'data-testid="template-error"' in html and "Line 2" in html
    assert "rendering budget" in html


@pytest.mark.parametrize(
    ("source", "cause"),
    [
        ("{{ creator.name }}" * 1_001, "more than 1,000 expressions"),
        ("x" * 200_001, "longer than 200,000 characters"),
    ],
)
def test_templates_too_big_to_compile_quickly_are_refused_before_compiling(source, cause):
    started = time.monotonic()
    error = refused(source, field="html", channel="email")
    assert time.monotonic() - started < 0.5
    assert cause in error.cause
