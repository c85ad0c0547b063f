"""Message previews for the wizard and the review page: render one channel × language message
for a sample creator of the campaign's segment, or say what is wrong with it, by line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from campaigns.exceptions import MessageInvalid, TemplateInvalid, TemplateRenderFailed
from campaigns.models import Campaign, Snippet
from campaigns.rendering import (
    CAMPAIGN_FIELDS,
    CREATOR_FIELDS,
    SAMPLE_EVENT,
    MessageRenderer,
    PreviewLinks,
    campaign_context_build,
)
from campaigns.selectors import campaign_sample_creator
from campaigns.services import message_fields_validate
from campaigns.whatsapp_templates import whatsapp_template_body_render
from channels.models import WhatsAppTemplate

# What the messages step lists as things a template can use.
HELPERS = (
    "{{ link('https://…', 'label') }}",
    "{{ learn('slug') }}",
    "{{ preferences_url() }}",
    "{{ unsubscribe_url() }}",
    "{{ portal_url() }}",
    "{{ snippet('…') }}",
)
FILTERS = ("|mxn", "|number(0)", "|date('medium')", "|datetime('short')", "|default('…')")


def variable_hints() -> list[tuple[str, list[str]]]:
    """(heading, snippets) for the messages step's “Variables and helpers” box."""
    return [
        (_("Creator fields"), [f"{{{{ creator.{name} }}}}" for name in sorted(CREATOR_FIELDS)]),
        (_("Campaign fields"), [f"{{{{ campaign.{name} }}}}" for name in sorted(CAMPAIGN_FIELDS)]),
        (_("Link helpers"), list(HELPERS)),
        (_("Filters"), list(FILTERS)),
        (
            _("Snippets"),
            [
                f"{{{{ snippet('{slug}') }}}}"
                for slug in Snippet.objects.order_by("slug")
                .values_list("slug", flat=True)
                .distinct()
            ],
        ),
    ]


@dataclass
class MessagePreview:
    channel: str
    locale: str
    content: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    creator_name: str = ""
    creator_handle: str = ""
    variant: str = ""
    # A marketing email whose rendered body has no unsubscribe link (a warning, not refused).
    unsubscribe_missing: bool = False


def message_preview(
    *,
    campaign: Campaign,
    channel: str,
    locale: str,
    fields: dict[str, Any],
    creator: dict[str, Any] | None = None,
) -> MessagePreview:
    """`creator`: the creator context to render for (the wizard's pick by handle); default the
    first creator of the segment."""
    if creator is None:
        creator = campaign_sample_creator(campaign=campaign)
    preview = MessagePreview(
        channel,
        locale,
        creator_name=str(creator.get("name") or ""),
        creator_handle=str(creator.get("handle") or ""),
    )
    links = PreviewLinks(locale=locale)
    try:
        message_fields_validate(channel=channel, locale=locale, fields=fields)
        preview.content = MessageRenderer(channel, fields, locale=locale).render(
            creator=creator,
            campaign=campaign_context_build(campaign),
            links=links,
            event=SAMPLE_EVENT if campaign.trigger else None,
        )
        preview.unsubscribe_missing = email_unsubscribe_missing(
            campaign=campaign, channel=channel, content=preview.content, links=links
        )
        if channel == "whatsapp" and preview.content.get("content_sid"):
            _template_fill(preview)
    except MessageInvalid as error:
        preview.errors = error.errors
    except (TemplateInvalid, TemplateRenderFailed) as error:
        preview.errors = [
            {"field": getattr(error, "field", ""), "line": error.line, "message": str(error)}
        ]
    return preview


def email_unsubscribe_missing(
    *, campaign: Campaign, channel: str, content: dict[str, Any], links: PreviewLinks
) -> bool:
    """A marketing (not transactional) email whose rendered HTML and text hold no unsubscribe
    link. Checked on the rendered message, so a link written through a snippet or a
    condition counts the same as one written in the field."""
    if channel != "email" or campaign.transactional:
        return False
    url = links.unsubscribe()
    return not any(url in str(content.get(name) or "") for name in ("html", "text"))


def _template_fill(preview: MessagePreview) -> None:
    """A template message previews as WhatsApp shows it: the approved body with the variables
    filled for the sample creator, and the template's buttons."""
    template = WhatsAppTemplate.objects.filter(sid=preview.content["content_sid"]).first()
    if template is None:
        return
    preview.content["template_name"] = template.friendly_name
    preview.content["template_buttons"] = [button["title"] for button in template.buttons]
    preview.content["template_body"] = whatsapp_template_body_render(
        template=template, variables=preview.content.get("variables") or {}
    )
