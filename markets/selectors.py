"""Reading markets, playbooks and proposals, and the cross-market comparison."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from campaigns.models import Campaign
from markets.models import AdaptedCampaign, Market, Playbook, Proposal
from outcomes.selectors import Outcome, campaign_outcome_get
from outcomes.sentences import outcome_sentence
from programs.models import Metric
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
    # The measured outcome on the plan's metric, once every post window is over.
    measured: Outcome | None = None
    measured_sentence: str = ""
    measured_ends: date | None = None  # when it will be filled in, until then

    @property
    def metric_choices(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Metric.choices]

    @property
    def measured_uplift(self) -> float | None:
        """The measured effect as a share of the holdout's post-window mean, in percent (as
        playbooks publish uplift)."""
        estimate = self.measured.overall.estimate if self.measured else None
        if estimate is None or not estimate.mean_post_holdout:
            return None
        return 100 * estimate.cuped.estimate / estimate.mean_post_holdout


def _measured(adaptation: Adaptation) -> None:
    """Fill the measured outcome (cached) once the last post window can be over."""
    campaign, adapted = adaptation.campaign, adaptation.adapted
    if campaign.launched_at is None or not campaign.holdout_percent:
        return
    window = campaign.outcome_window_days
    ends = timezone.localdate(campaign.launched_at) + timedelta(days=window)
    if ends >= timezone.localdate():
        adaptation.measured_ends = ends
        return
    outcome = campaign_outcome_get(campaign=campaign, metric=adapted.outcome_metric)
    if outcome.window_complete:
        adaptation.measured = outcome
        adaptation.measured_sentence = outcome_sentence(outcome=outcome, group=outcome.overall)
    else:
        adaptation.measured_ends = outcome.post_window_ends


def adaptation_figures(*, adapted: AdaptedCampaign) -> Adaptation:
    campaign = adapted.campaign
    figures = None
    if campaign.status != Campaign.Status.DRAFT:
        totals = campaign_stats_get(campaign=campaign, detail=False).totals
        figures = totals if totals.delivered > 0 else None
    adaptation = Adaptation(adapted=adapted, campaign=campaign, figures=figures)
    _measured(adaptation)
    return adaptation


def adapted_campaign_get(*, campaign_id: int) -> AdaptedCampaign:
    return get_object_or_404(
        AdaptedCampaign.objects.select_related("campaign"), campaign_id=campaign_id
    )


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
