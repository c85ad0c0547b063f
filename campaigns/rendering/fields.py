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


# The longest text each field may render to, from what the channel accepts (docs/templates.md):
# WhatsApp free text 1,600 characters (Twilio), a WhatsApp template's body 1,024 (Meta), a push
# payload 4 KB (FCM), the inbox's own columns, and for email 998 per header line (RFC 5322) and
# 1 MB per body part (SendGrid takes 30 MB a message; nobody reads a 1 MB email).
FIELD_MAX_CHARS: dict[str, dict[str, int]] = {
    "email": {"subject": 998, "preheader": 998, "html": 1_000_000, "text": 1_000_000},
    "whatsapp": {"body": 1_600, "variables": 1_024},
    "push": {"title": 4_096, "body": 4_096, "link": 4_096, "image": 4_096},
    "inbox": {"title": 200, "body": 10_000, "cta_label": 80, "cta_link": 2_000},
}


def field_max_chars(channel: str, field: str) -> int:
    """The output cap of `field` (`variables.<key>` shares the cap of `variables`)."""
    name = "variables" if field.startswith("variables.") else field
    return FIELD_MAX_CHARS.get(channel, {}).get(name, 1_000_000)
