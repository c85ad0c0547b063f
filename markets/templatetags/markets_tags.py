from django import template
from django.template.defaultfilters import floatformat

from campaigns.models import Campaign
from markets.selectors import Adaptation, campaign_adaptation

register = template.Library()


@register.simple_tag
def adaptation_of(campaign: Campaign) -> Adaptation | None:
    """The playbook a campaign was adapted from, its plan and (once run) its figures."""
    return campaign_adaptation(campaign=campaign)


@register.filter
def percent(fraction: float | None) -> str:
    """0.065 → “6.5” (a rate as a percentage with one decimal)."""
    if fraction is None:
        return "—"
    return floatformat(100 * fraction, 1)
