"""What an agency's content drove (issue 21): for each campaign and lesson built from a brief
with an approved deliverable, its open and click rates or completion rate, and the campaign's
measured outcome against its holdout where there is one (docs/outcomes.md)."""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import Agency, Brief, Deliverable
from campaigns.models import Campaign
from education.models import ContentItem, LearningProgress
from outcomes.estimator import Effect
from outcomes.selectors import campaign_outcome_get
from tracking.selectors import campaign_stats_get


@dataclass(frozen=True)
class DrivenCampaign:
    campaign: Campaign
    open_rate: float | None
    click_rate: float | None
    effect: Effect | None  # the CUPED effect on GMV per creator, once measured and not too small


@dataclass(frozen=True)
class DrivenLesson:
    item: ContentItem
    visitors: int
    completions: int

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.visitors if self.visitors else None


@dataclass(frozen=True)
class AgencyScorecard:
    agency: Agency
    campaigns: list[DrivenCampaign]
    lessons: list[DrivenLesson]


def _effect(campaign: Campaign) -> Effect | None:
    if not campaign.holdout_percent or campaign.launched_at is None:
        return None
    outcome = campaign_outcome_get(campaign=campaign)  # cached
    group = outcome.overall
    if not outcome.window_complete or group.too_small or group.estimate is None:
        return None
    return group.estimate.cuped


def agency_scorecards_list() -> list[AgencyScorecard]:
    """One scorecard per agency with content approved; campaigns not yet run have no rates."""
    briefs = (
        Brief.objects.filter(deliverables__status=Deliverable.Status.APPROVED)
        .select_related("agency", "campaign")
        .distinct()
        .order_by("agency__name", "pk")
    )
    cards: dict[int, AgencyScorecard] = {}
    for brief in briefs:
        card = cards.setdefault(brief.agency_id, AgencyScorecard(brief.agency, [], []))
        campaign = brief.campaign
        if campaign is not None and all(c.campaign != campaign for c in card.campaigns):
            totals = None
            if campaign.status != Campaign.Status.DRAFT:
                totals = campaign_stats_get(campaign=campaign, detail=False).totals
            ran = totals is not None and totals.delivered > 0
            card.campaigns.append(
                DrivenCampaign(
                    campaign=campaign,
                    open_rate=totals.open_rate if ran and totals else None,
                    click_rate=totals.click_rate if ran and totals else None,
                    effect=_effect(campaign),
                )
            )
        item = ContentItem.objects.filter(slug=brief.education_slug).first()
        if brief.education_slug and item and all(x.item != item for x in card.lessons):
            progress = LearningProgress.objects.filter(item=item)
            card.lessons.append(
                DrivenLesson(
                    item=item,
                    visitors=progress.count(),
                    completions=progress.filter(completed_at__isnull=False).count(),
                )
            )
    return list(cards.values())
