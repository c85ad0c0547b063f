from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float) -> str:
    """0.1234 → "12.3 %" (localised decimal separator)."""
    return f"{number_format(round(value * 100, 1), decimal_pos=1)} %"


@register.filter
def channel_label(code: str) -> str:
    """ "whatsapp" → "WhatsApp", in the page's language."""
    from creators.models import Channel

    try:
        return str(Channel(code).label)
    except ValueError:
        return code


@register.inclusion_tag("tracking/_export_deliveries.html")
def deliveries_export_form(campaign) -> dict:
    """The deliveries export form (`#export-deliveries`) for `campaign`'s page."""
    from tracking.exports import OUTCOMES

    return {"campaign": campaign, "export_outcomes": list(OUTCOMES.items())}
