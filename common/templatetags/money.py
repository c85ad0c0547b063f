from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def mxn(value: Decimal | float | int | None) -> str:
    """1234.5 → "$1,234.50 MXN", with the active language's separators (es-MX and en agree)."""
    if value is None or value == "":
        return "—"
    return f"${number_format(value, decimal_pos=2, force_grouping=True)} MXN"
