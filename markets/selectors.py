"""Reading markets, playbooks and proposals, and the cross-market comparison."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from campaigns.models import Campaign
from markets.models import AdaptedCampaign, Market, Playbook, Proposal
from tracking.selectors import Figures, campaign_stats_get


def market_list() -> QuerySet[Market]:
    return Market.objects.order_by("name")


def market_get(*, code: str) -> Market | None:
    """The Market of a campaign's, creator's or content item's two-letter code, if known."""
    return Market.objects.filter(code=(code or "").upper()).first()


def market_choices() -> list[tuple[str, str]]:
    return [(market.code, str(market)) for market in market_list()]


def playbook_list(*, market: str = "", kind: str = "", tag: str = "") -> QuerySet[Playbook]:
    playbooks = Playbook.objects.select_related("market").order_by("market_id", "title")
    if market:
        playbooks = playbooks.filter(market_id=market)
    if kind:
        playbooks = playbooks.filter(kind=kind)
    if tag:
        playbooks = playbooks.filter(tags__contains=[tag.strip().lower()])
    return playbooks


def playbook_get(*, pk: int) -> Playbook:
    return get_object_or_404(Playbook.objects.select_related("market"), pk=pk)


@dataclass
class Adaptation:
    adapted: AdaptedCampaign
    campaign: Campaign
    figures: Figures | None  # None until the campaign has run and delivered


def adaptation_figures(*, adapted: AdaptedCampaign) -> Adaptation:
    campaign = adapted.campaign
    figures = None
    if campaign.status != Campaign.Status.DRAFT:
        totals = campaign_stats_get(campaign=campaign, detail=False).totals
        figures = totals if totals.delivered > 0 else None
    return Adaptation(adapted=adapted, campaign=campaign, figures=figures)


def playbook_adaptations(*, playbook: Playbook) -> list[Adaptation]:
    rows = playbook.adaptations.select_related("campaign").order_by("-created_at")
    return [adaptation_figures(adapted=adapted) for adapted in rows]


def campaign_adaptation(*, campaign: Campaign) -> Adaptation | None:
    adapted = (
        AdaptedCampaign.objects.filter(campaign=campaign).select_related("playbook__market").first()
    )
    return adaptation_figures(adapted=adapted) if adapted else None


def proposal_list(*, status: str = "") -> QuerySet[Proposal]:
    proposals = Proposal.objects.select_related("author")
    return proposals.filter(status=status) if status else proposals


def proposal_get(*, pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("author").prefetch_related(
            "evidence_playbooks__market", "evidence_campaigns"
        ),
        pk=pk,
    )
