"""Message templates: sandboxed Jinja2 rendering and save-time checking (see docs/templates.md).

Import from here:
- `template_check`, `message_check`, `FieldError`: refuse bad templates when saved;
- `MessageRenderer`, `creator_context_build`, `campaign_context_build`: render per delivery;
- `LinkBuilder`, `PreviewLinks`: the link helpers' URL building, injected by the caller;
- `html_links_track`, `text_links_track`, `html_to_text`, `html_inline_css`: the post-steps.
"""

from .check import FieldError, message_check, template_check
from .context import (
    CAMPAIGN_FIELDS,
    CREATOR_FIELDS,
    SAMPLE_CAMPAIGN,
    SAMPLE_CREATOR,
    SAMPLE_EVENT,
    campaign_context_build,
    creator_context_build,
)
from .email_html import html_inline_css, html_preheader_insert, html_to_text
from .fields import CHANNEL_FIELDS, FieldKind
from .links import LinkBuilder, PreviewLinks, html_links_track, text_links_track, url_track
from .renderer import MessageRenderer

__all__ = [
    "CAMPAIGN_FIELDS",
    "CHANNEL_FIELDS",
    "CREATOR_FIELDS",
    "SAMPLE_CAMPAIGN",
    "SAMPLE_CREATOR",
    "SAMPLE_EVENT",
    "FieldError",
    "FieldKind",
    "LinkBuilder",
    "MessageRenderer",
    "PreviewLinks",
    "campaign_context_build",
    "creator_context_build",
    "html_inline_css",
    "html_links_track",
    "html_preheader_insert",
    "html_to_text",
    "message_check",
    "template_check",
    "text_links_track",
    "url_track",
]
