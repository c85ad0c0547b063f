"""The WhatsApp 24-hour window in campaigns (docs/dispatch.md, "The WhatsApp 24-hour window").

WhatsApp takes free text only within 24 hours of the creator's last message to us (Twilio
error 63016 otherwise); outside that window only an approved template goes. Each inbound
message moves `Creator.whatsapp_window_open_until`. A campaign's WhatsApp message may carry a
template (`content_sid` + `variables`), free text (`body`) or both:

- both: each creator inside the window gets the body, each outside gets the template;
- body only: creators outside the window are not sent on WhatsApp. Fan-out leaves them out
  (counted as `outside_whatsapp_window`; with a channel priority the next channel takes them)
  and dispatch checks again, since the window may close in between: such a delivery is
  settled `failed` with that code, never sent, and falls back like any permanent failure;
- template only: everyone gets the template.

Fan-out decides per language: a language whose every WhatsApp message (all A/B variants) is
body-only needs the window; with a mix of variants the decision is left to dispatch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from campaigns.exceptions import OutsideWhatsAppWindow
from campaigns.models import FanoutSkip, Message
from creators.models import Channel

REASON = FanoutSkip.Reason.OUTSIDE_WHATSAPP_WINDOW
TEMPLATE_FIELDS = ("content_sid", "variables")
# SQL (alias `c`) true when the creator's window is open at the moment given as its parameter.
WINDOW_OPEN_SQL = "COALESCE(c.whatsapp_window_open_until > %s, FALSE)"

Mode = Literal["", "template", "body", "both", "mixed"]


def _filled(value: Any) -> bool:
    return bool(str(value or "").strip())


def message_has_template(fields: Mapping[str, Any]) -> bool:
    return _filled(fields.get("content_sid"))


def message_needs_window(fields: Mapping[str, Any]) -> bool:
    """Body-only: the message can reach a creator only inside their window."""
    return _filled(fields.get("body")) and not message_has_template(fields)


def window_open_expression(*, now: datetime) -> ExpressionWrapper:
    """A `.values()`/`.annotate()` expression on Creator: true when the window is open at
    `now` (false when it never opened), so a batch reads one boolean, not a date per row."""
    return ExpressionWrapper(
        Q(whatsapp_window_open_until__gt=now, whatsapp_window_open_until__isnull=False),
        output_field=BooleanField(),
    )


def content_for_creator(
    content: dict[str, Any], *, channel: str, window_open: bool | None
) -> dict[str, Any]:
    """The rendered `content` as it goes on `channel` to a creator whose WhatsApp window is
    open (`window_open`; None counts as closed). WhatsApp: the body inside the window (the
    template when the body is blank), the template outside it; body-only content outside the
    window raises OutsideWhatsAppWindow. Other channels: `content` unchanged."""
    if channel != Channel.WHATSAPP:
        return content
    has_template, has_body = _filled(content.get("content_sid")), _filled(content.get("body"))
    if window_open:
        if has_body:
            return {key: value for key, value in content.items() if key not in TEMPLATE_FIELDS}
        return content
    if has_template:
        return {key: value for key, value in content.items() if key != "body"}
    raise OutsideWhatsAppWindow()


def locales_needing_window(messages: Iterable[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """The languages whose every WhatsApp message (of `messages`: (locale, fields) pairs of
    one campaign step, every A/B variant) is body-only."""
    needs: dict[str, bool] = defaultdict(lambda: True)
    for locale, fields in messages:
        needs[locale] = needs[locale] and message_needs_window(fields)
    return sorted(locale for locale, needed in needs.items() if needed)


def fanout_condition(
    *,
    channel: str,
    messages: list[tuple[str, Mapping[str, Any]]],
    default_locale: str,
    now: Any,
) -> tuple[str, list[Any]]:
    """SQL (alias `c`) and its parameters, true for the creators fan-out may give a delivery
    on `channel` as far as the window goes; ("", []) when the window does not matter.
    `messages`: the step's (locale, fields) on `channel`; a creator whose language has none
    gets `default_locale`'s, as fan-out resolves it. `now`: the adapted moment of the fan-out."""
    if channel != Channel.WHATSAPP:
        return "", []
    needing = locales_needing_window(messages)
    if not needing:
        return "", []
    locales = sorted({locale for locale, _fields in messages})
    if set(needing) >= set(locales):
        return WINDOW_OPEN_SQL, [now]
    placeholders = ", ".join(["%s"] * len(locales))
    needing_placeholders = ", ".join(["%s"] * len(needing))
    resolved = f"CASE WHEN c.locale IN ({placeholders}) THEN c.locale ELSE %s END"
    return (
        f"({WINDOW_OPEN_SQL} OR {resolved} NOT IN ({needing_placeholders}))",
        [now, *locales, default_locale, *needing],
    )


def count_columns_sql(reachable_sql: str) -> tuple[list[str], list[Any]]:
    """Two COUNT columns (alias `c`) for a segment's count query, with their parameters: the
    creators reachable on WhatsApp inside their window now, and outside it."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return (
        [
            f"COUNT(*) FILTER (WHERE {reachable_sql} AND {WINDOW_OPEN_SQL})",
            f"COUNT(*) FILTER (WHERE {reachable_sql} AND NOT {WINDOW_OPEN_SQL})",
        ],
        [now, now],
    )


def campaign_window_mode(*, campaign_id: int, step: int = 0) -> Mode:
    """What the step's WhatsApp messages carry: "template", "body", "both", "mixed" (it
    differs by language or variant) or "" (no WhatsApp message)."""
    kinds: set[Mode] = set()
    for fields in Message.objects.filter(
        campaign_id=campaign_id, step=step, channel=Channel.WHATSAPP
    ).values_list("fields", flat=True):
        template, body = message_has_template(fields), _filled(fields.get("body"))
        kinds.add("both" if template and body else "template" if template else "body")
    if len(kinds) > 1:
        return "mixed"
    return next(iter(kinds), "")
