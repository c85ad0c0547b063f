"""Tags of the app shell (templates/base.html)."""

from django import template
from django.conf import settings
from django.utils.translation import get_language_info, ngettext

register = template.Library()

# Django's own table spells it "español de Mexico"; the country keeps its accent here.
LANGUAGE_NAMES_LOCAL = {"es-mx": "español de México"}


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """(code, name in that language) of every language the UI speaks, for the header select."""
    return [
        (code, LANGUAGE_NAMES_LOCAL.get(code) or get_language_info(code)["name_local"])
        for code, _label in settings.LANGUAGES
    ]


@register.filter
def duration(minutes: int | None) -> str:
    """A wait in minutes, in words: 2880 → "2 days", 90 → "1 hour 30 minutes"."""
    if minutes is None or minutes == "":
        return "—"
    minutes = int(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if mins or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins})
    return " ".join(parts)
