"""Templates cannot reach Python internals: refused at save time, and blocked at render time."""

import pytest
from django.utils import translation
from jinja2.exceptions import SecurityError

from campaigns.exceptions import TemplateInvalid, TemplateRenderFailed
from campaigns.rendering import (
    SAMPLE_CREATOR,
    MessageRenderer,
    PreviewLinks,
    creator_context_build,
    template_check,
)

# Classic server-side template injection payloads, each on line 2 of its template.
ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ creator.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__['__builtins__']['__import__']('os') }}",
    "{{ creator.name.mro() }}",
    "{{ creator.tags.func_globals }}",
    "{{ creator.tags.gi_frame }}",
    "{{ creator._state }}",
    "{{ creator['__class__'] }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(creator) }}",
    "{{ '{0.__class__}'.format_map({'0': creator}) }}",
    "{{ creator|attr('__class__') }}",
    "{{ creator.tags|map('attr', '__class__')|list }}",
    "{{ creator.tags|map(attribute='__class__')|list }}",
    "{{ creator.tags|selectattr('__class__')|list }}",
    "{{ link.__self__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__ }}",
    "{% set k = '__cla' ~ 'ss__' %}{{ creator.name[k] }}",
    "{{ creator.tags.append('x') }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_escape_is_refused_at_save_time_with_its_line(payload):
    with pytest.raises(TemplateInvalid) as caught:
        template_check("Hola {{ creator.first_name }}\n" + payload, field="html", channel="email")
    assert caught.value.line == 2


def test_escape_cause_says_why():
    with translation.override("en"), pytest.raises(TemplateInvalid) as caught:
        template_check("{{ ''.__class__ }}", field="body", channel="push")
    assert "Python internals" in caught.value.cause


@pytest.mark.parametrize(
    "payload",
    [
        "{{ creator.name|safe }}",
        "{% autoescape false %}{{ creator.name }}{% endautoescape %}",
    ],
)
def test_turning_off_html_escaping_is_refused(payload):
    with pytest.raises(TemplateInvalid):
        template_check(payload, field="html", channel="email")


@pytest.mark.parametrize(
    "payload",
    [
        "{{ 'x' * 1000000 }}",
        "{{ range(10000000)|list|length }}",
        "{{ '%999999999s'|format(creator.name) }}",
        "{{ creator.name|replace('', creator.name * 200) }}",
        "{{ 10 ** 1000000 }}",
        "{% for a in creator.tags %}{% for b in creator.tags %}{% for c in creator.tags %}"
        "{% endfor %}{% endfor %}{% endfor %}",
    ],
)
def test_resource_exhaustion_is_refused(payload):
    with pytest.raises(TemplateInvalid):
        template_check(payload, field="body", channel="push")


def render(source: str, creator: dict) -> dict:
    # MessageRenderer does not run template_check: this is a template that bypassed it
    # (saved before a rule existed, or written straight to the database).
    renderer = MessageRenderer("push", {"title": "x", "body": source})
    return renderer.render(
        creator=creator_context_build(creator), campaign={}, links=PreviewLinks()
    )


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ creator.name.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{% set k = '__cla' ~ 'ss__' %}{{ creator.name[k] }}",
        "{{ link.__globals__ }}",
        "{{ 'x' * 1000000 }}",
        "{{ range(10000000)|length }}",
    ],
)
def test_sandbox_blocks_an_unchecked_template_at_render_time(payload):
    with pytest.raises(TemplateRenderFailed) as caught:
        render("uno\n" + payload, dict(SAMPLE_CREATOR))
    assert isinstance(caught.value.__cause__, SecurityError)
    assert (caught.value.field, caught.value.line) == ("body", 2)


def test_refused_filters_do_not_exist_in_the_sandbox():
    with pytest.raises(TemplateInvalid):
        MessageRenderer("push", {"body": "{{ creator|attr('__class__') }}"})


def test_sandbox_refusal_is_a_security_error_not_execution():
    tags = ["top"]
    creator = {**SAMPLE_CREATOR, "tags": tags}
    with pytest.raises(TemplateRenderFailed) as caught:
        render("{{ creator.tags.append('pwned') }}", creator)
    assert isinstance(caught.value.__cause__, SecurityError)
    assert tags == ["top"]
    with pytest.raises(TemplateRenderFailed) as caught:
        render("\n\n{{ ''.__class__.__mro__[1].__subclasses__() }}", dict(SAMPLE_CREATOR))
    assert isinstance(caught.value.__cause__, SecurityError)
    assert caught.value.line == 3


def test_str_format_at_render_time_cannot_reach_internals():
    with pytest.raises(TemplateRenderFailed) as caught:
        render("{{ '{0.__class__.__mro__}'.format(creator.name) }}", dict(SAMPLE_CREATOR))
    assert isinstance(caught.value.__cause__, SecurityError)
