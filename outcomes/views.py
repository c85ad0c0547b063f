"""The campaign stats page's "Outcome" section (registered in OutcomesConfig): the effect on a
metric against the holdout, its breakdowns and the daily chart, from the cached outcome."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from creators.models import Channel, Locale
from education.models import ContentItem, LearningPath
from outcomes.education import education_outcome_get
from outcomes.queries import BREAKDOWNS
from outcomes.selectors import GroupOutcome, Outcome, campaign_outcome_get
from outcomes.sentences import outcome_sentence
from programs.models import Metric


def _window(value: str, default: int) -> int:
    """The asked window if it is a whole number of days in range, else the campaign's."""
    if value.isdigit() and 1 <= int(value) <= settings.OUTCOME_MAX_WINDOW_DAYS:
        return int(value)
    return default


def _estimators(outcome: Outcome) -> list[tuple[str, dict[str, float]]]:
    estimate = outcome.overall.estimate
    if estimate is None:
        return []
    return [
        (name, {**asdict(effect), "per_thousand": effect.estimate * 1000})
        for name, effect in (("cuped", estimate.cuped), ("did", estimate.did))
    ]


def _label(breakdown: str, key: str) -> str:
    if breakdown == "channel" and key in Channel.values:
        return str(Channel(key).label)
    if breakdown == "locale" and key in Locale.values:
        return str(Locale(key).label)
    if breakdown == "level":
        return _("Level %(level)s") % {"level": key}
    return key


def _breakdowns(outcome: Outcome) -> list[tuple[str, str, list[tuple[str, GroupOutcome]]]]:
    titles = {
        "channel": _("By channel"),
        "locale": _("By language"),
        "level": _("By creator level"),
        "variant": _("By variant (each against the whole holdout)"),
    }
    return [
        (
            titles[name],
            name,
            [(_label(name, group.key), group) for group in outcome.breakdowns.get(name, [])],
        )
        for name in BREAKDOWNS
    ]


def campaign_outcome_section(request: HttpRequest, campaign: Campaign) -> str:
    metric = request.GET.get("outcome_metric", Metric.GMV)
    metric = metric if metric in Metric.values else Metric.GMV
    window_days = _window(request.GET.get("outcome_window", ""), campaign.outcome_window_days)
    context: dict[str, Any] = {
        "campaign": campaign,
        "metrics": Metric.choices,
        "metric": metric,
        "max_window": settings.OUTCOME_MAX_WINDOW_DAYS,
    }
    outcome = campaign_outcome_get(campaign=campaign, metric=metric, window_days=window_days)
    context.update(
        outcome=outcome,
        estimators=_estimators(outcome),
        breakdowns=_breakdowns(outcome),
        computed=date_format(timezone.localtime(outcome.computed_at), "SHORT_DATETIME_FORMAT"),
        sentence=outcome_sentence(outcome=outcome, group=outcome.overall),
        chart={
            "labels": [day.day for day in outcome.daily],
            "sent": [round(day.sent, 4) for day in outcome.daily],
            "holdout": [round(day.holdout, 4) for day in outcome.daily],
        },
    )
    return render_to_string("outcomes/_campaign_outcome.html", context, request=request)


def education_outcome_section(request: HttpRequest, subject: ContentItem | LearningPath) -> str:
    """The lesson's or path's page section: its creators' metric before and after, by how far
    they got (registered in OutcomesConfig for the education pages)."""
    metric = request.GET.get("outcome_metric", Metric.GMV)
    metric = metric if metric in Metric.values else Metric.GMV
    window_days = _window(request.GET.get("outcome_window", ""), 14)
    groups = education_outcome_get(subject=subject, metric=metric, window_days=window_days)
    labels = {
        "completed": _("Completed"),
        "started": _("Started, did not finish"),
        "visited": _("Opened, did not start"),
        "not_reached": _("Not reached"),
    }
    return render_to_string(
        "outcomes/_education_outcome.html",
        {
            "rows": [(labels[group.group], group) for group in groups],
            "metric_label": Metric(metric).label,
            "window_days": window_days,
        },
        request=request,
    )
