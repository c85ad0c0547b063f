"""Canned answers: ready-made replies in es-MX and en, written as sandboxed Jinja2 like a
campaign's WhatsApp body, checked when saved and rendered for one thread's creator."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaigns.exceptions import TemplateInvalid
from campaigns.rendering import (
    MessageRenderer,
    PreviewLinks,
    creator_context_build,
    template_check,
)
from common.exceptions import AltavozError
from conversations.models import CannedAnswer, Conversation
from creators.models import Creator, Locale

# Signed, per-delivery links: a reply is no delivery, so they would lead nowhere.
PERSONAL_LINKS = re.compile(r"\b(portal_url|preferences_url|unsubscribe_url)\b")


def canned_answer_check(source: str) -> None:
    """Refuse a text that would not render for a creator (`TemplateInvalid`, with its line),
    or that asks for a personal link (portal, preferences, unsubscribe)."""
    template_check(source, field="body", channel="whatsapp")
    for number, line in enumerate(source.splitlines(), 1):
        found = PERSONAL_LINKS.search(line)
        if found:
            raise TemplateInvalid(
                number,
                _(
                    "%(helper)s() makes a personal link from a campaign delivery; a canned "
                    "answer has none. Use learn(...) or a plain address."
                )
                % {"helper": found.group(1)},
            )


def canned_answer_list() -> QuerySet[CannedAnswer]:
    return CannedAnswer.objects.order_by("title")


def canned_answer_render(*, answer: CannedAnswer, conversation: Conversation) -> str:
    """The answer in the thread's language, filled in for its creator. Links are plain (a
    reply is no campaign delivery: nothing to attribute a click to); `learn(...)` points at
    the item in the creator's language; personal links are refused when saved. For an unknown number the WhatsApp profile name
    stands in for the creator's name."""
    creator = conversation.creator
    locale = creator.locale if creator is not None else Locale.ES_MX
    in_english = locale == Locale.EN and bool(answer.body_en.strip())
    source = answer.body_en if in_english else answer.body_es_mx
    if creator is not None:
        context = creator_context_build(creator)
    else:
        context = creator_context_build(
            {"name": conversation.profile_name, "handle": "", "locale": locale}
        )
    # Snippets in the answer's own language (docs/templates.md#snippets).
    answer_locale = Locale.EN if in_english else Locale.ES_MX
    rendered = MessageRenderer("whatsapp", {"body": source}, locale=answer_locale).render(
        creator=context, campaign={}, links=PreviewLinks(locale=locale)
    )
    return str(rendered.get("body", ""))


def delivery_body_render(
    *, source: str, creator: Creator, renderers: dict[str, MessageRenderer]
) -> str:
    """A campaign's WhatsApp text as this creator got it, for showing a delivery in place in
    the thread (links plain: the tracked ones were the delivery's own). A text that no
    longer renders is shown as written. `renderers` caches one compiled text per source."""
    if "{" not in source:
        return source
    try:
        renderer = renderers.get(source) or MessageRenderer("whatsapp", {"body": source})
        renderers[source] = renderer
        rendered = renderer.render(
            creator=creator_context_build(creator),
            campaign={},
            links=PreviewLinks(locale=creator.locale),
        )
    except AltavozError:
        return source
    return str(rendered.get("body", source))
