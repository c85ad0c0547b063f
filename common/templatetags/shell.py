"""Tags of the app shell (templates/base.html)."""

from django import template
from django.conf import settings
from django.utils.translation import get_language_info

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
