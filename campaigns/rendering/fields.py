"""Which fields each channel's message has, and how each is rendered."""

from __future__ import annotations

from enum import StrEnum


class FieldKind(StrEnum):
    HTML = "html"  # autoescaped; every <a href> tracked; CSS inlined; preheader added
    TEXT = "text"  # plain text; every bare http(s) URL tracked
    PLAIN = "plain"  # plain text shown as is (subject, titles, labels); URLs left alone
    URL = "url"  # a whole URL (deep link, call to action); tracked if http(s)
    IMAGE = "image"  # an image URL; never tracked (the device fetches it)
    VARIABLES = "variables"  # an object whose values are TEXT templates (WhatsApp templates)
    LITERAL = "literal"  # not a template (a Twilio Content SID)


CHANNEL_FIELDS: dict[str, dict[str, FieldKind]] = {
    "email": {
        "subject": FieldKind.PLAIN,
        "preheader": FieldKind.PLAIN,
        "html": FieldKind.HTML,
        "text": FieldKind.TEXT,
    },
    "whatsapp": {
        "content_sid": FieldKind.LITERAL,
        "variables": FieldKind.VARIABLES,
        "body": FieldKind.TEXT,
    },
    "push": {
        "title": FieldKind.PLAIN,
        "body": FieldKind.TEXT,
        "link": FieldKind.URL,
        "image": FieldKind.IMAGE,
    },
    "inbox": {
        "title": FieldKind.PLAIN,
        "body": FieldKind.TEXT,
        "cta_label": FieldKind.PLAIN,
        "cta_link": FieldKind.URL,
    },
}


def field_kind(channel: str, field: str) -> FieldKind:
    """The kind of `field` of a `channel` message; `variables.<key>` is a TEXT template."""
    if field.startswith("variables.") and channel == "whatsapp":
        return FieldKind.TEXT
    try:
        return CHANNEL_FIELDS[channel][field]
    except KeyError:
        raise ValueError(f"{channel!r} messages have no field {field!r}") from None
