"""The campaign outcome over the JSON API (docs/outcomes.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from accounts.permissions import api_permission_check
from campaigns.models import Campaign
from common.schemas import error_responses
from outcomes.estimator import Effect
from outcomes.selectors import GroupOutcome, campaign_outcome_get
from outcomes.sentences import outcome_sentence
from programs.models import Metric

router = Router(tags=["outcomes"])
METRIC_QUERY = Query(Metric.GMV, description="The CreatorMetric to measure.")


class EffectOut(Schema):
    estimate: float = Field(description="Effect of being sent on the metric, per creator.")
    se: float = Field(description="Its standard error.")
    low: float = Field(description="95% confidence interval, low end.")
    high: float = Field(description="95% confidence interval, high end.")
    p_value: float
    per_thousand: float = Field(description="The estimate per 1,000 creators sent.")
    per_thousand_low: float
    per_thousand_high: float


class GroupOut(Schema):
    key: str = Field(description="The channel, language, level or variant; '' for everyone.")
    sent: int = Field(description="Creators sent the campaign in this group.")
    holdout: int = Field(description="Creators held out it is compared with.")
    too_small: bool = Field(description="Fewer creators a side than the minimum: no verdict.")
    cuped: EffectOut | None = Field(description="The headline: CUPED-adjusted difference.")
    did: EffectOut | None = Field(description="Plain difference in differences.")
    theta: float | None = Field(description="The CUPED coefficient (pooled slope post on pre).")
    mean_pre_sent: float | None
    mean_post_sent: float | None
    mean_pre_holdout: float | None
    mean_post_holdout: float | None


class DayOut(Schema):
    day: int = Field(description="Days from each creator's send day (negative: before).")
    sent: float = Field(description="Mean of the metric per sent creator that day.")
    holdout: float = Field(description="Mean of the metric per held-out creator that day.")


class OutcomeOut(Schema):
    campaign: int
    metric: str
    window_days: int
    has_holdout: bool = Field(
        description="False when nobody was held out: nothing can be measured (200, no figures)."
    )
    window_complete: bool = Field(description="Every creator's post window is over.")
    post_window_ends: date | None
    min_creators: int = Field(description="Creators a side below which a group is too small.")
    sentence: str = Field(description="What it means, in the request's language.")
    overall: GroupOut
    breakdowns: dict[str, list[GroupOut]] = Field(
        description="channel, locale, level and variant (each variant against the whole holdout)."
    )
    daily: list[DayOut]
    computed_at: datetime | None


def _effect(effect: Effect) -> dict[str, float]:
    return {
        "estimate": effect.estimate,
        "se": effect.se,
        "low": effect.low,
        "high": effect.high,
        "p_value": effect.p_value,
        "per_thousand": effect.estimate * 1000,
        "per_thousand_low": effect.low * 1000,
        "per_thousand_high": effect.high * 1000,
    }


def _group(group: GroupOutcome) -> dict[str, Any]:
    estimate = group.estimate
    return {
        "key": group.key,
        "sent": group.sent,
        "holdout": group.holdout,
        "too_small": group.too_small,
        "cuped": _effect(estimate.cuped) if estimate else None,
        "did": _effect(estimate.did) if estimate else None,
        "theta": estimate.theta if estimate else None,
        "mean_pre_sent": estimate.mean_pre_sent if estimate else None,
        "mean_post_sent": estimate.mean_post_sent if estimate else None,
        "mean_pre_holdout": estimate.mean_pre_holdout if estimate else None,
        "mean_post_holdout": estimate.mean_post_holdout if estimate else None,
    }


@router.get(
    "/campaigns/{pk}/outcome",
    response={200: OutcomeOut, **error_responses(400, 401, 403, 404)},
)
def campaign_outcome(
    request: HttpRequest,
    pk: int,
    metric: Metric = METRIC_QUERY,
    window_days: int | None = Query(
        None,
        ge=1,
        le=settings.OUTCOME_MAX_WINDOW_DAYS,
        description="Days after (and before) each send; default: the campaign's (14).",
    ),
) -> dict[str, Any]:
    """The effect of being sent the campaign on a creator metric, against its holdout.

    400 for an unknown metric or a window outside 1…OUTCOME_MAX_WINDOW_DAYS; a campaign without
    a holdout answers 200 with `has_holdout` false and no figures. Cached for
    OUTCOME_CACHE_SECONDS after the first computation."""
    api_permission_check(request, "campaigns.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    outcome = campaign_outcome_get(
        campaign=campaign, metric=str(metric.value), window_days=window_days
    )
    return {
        "campaign": campaign.pk,
        "metric": outcome.metric,
        "window_days": outcome.window_days,
        "has_holdout": outcome.has_holdout,
        "window_complete": outcome.window_complete,
        "post_window_ends": outcome.post_window_ends,
        "min_creators": outcome.min_creators,
        "sentence": outcome_sentence(outcome=outcome, group=outcome.overall),
        "overall": _group(outcome.overall),
        "breakdowns": {
            name: [_group(group) for group in groups] for name, groups in outcome.breakdowns.items()
        },
        "daily": [{"day": d.day, "sent": d.sent, "holdout": d.holdout} for d in outcome.daily],
        "computed_at": outcome.computed_at,
    }
