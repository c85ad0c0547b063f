from django import template

from creators.models import Channel, Locale

register = template.Library()


@register.filter
def locale_label(code: str) -> str:
    """ "es-MX" → "Spanish (Mexico)", in the page's language: never the raw code."""
    try:
        return str(Locale(code).label)
    except ValueError:
        return code


@register.filter
def channel_labels(codes: list[str] | None) -> str:
    """["email", "whatsapp"] → "Email, WhatsApp", in the page's language."""
    labels = []
    for code in codes or ():
        try:
            labels.append(str(Channel(code).label))
        except ValueError:
            labels.append(code)
    return ", ".join(labels)


@register.filter
def channel_label(code: str) -> str:
    """ "whatsapp" → "WhatsApp", in the page's language."""
    return channel_labels([code])
