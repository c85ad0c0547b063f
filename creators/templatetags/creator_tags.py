from django import template

from creators.models import Locale

register = template.Library()


@register.filter
def locale_label(code: str) -> str:
    """ "es-MX" → "Spanish (Mexico)", in the page's language: never the raw code."""
    try:
        return str(Locale(code).label)
    except ValueError:
        return code
