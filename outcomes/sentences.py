"""What an outcome means, in a sentence, in the language of the request (built when shown:
the cached outcome holds numbers only)."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from outcomes.selectors import GroupOutcome, Outcome
from programs.models import Metric


def _number(value: float) -> str:
    return intcomma(number_format(round(value, 2), 2))


def outcome_too_small_sentence(*, outcome: Outcome, group: GroupOutcome) -> str:
    return _(
        "The sample is too small to say: each side needs at least %(minimum)s creators "
        "(sent: %(sent)s, holdout: %(holdout)s)."
    ) % {"minimum": outcome.min_creators, "sent": group.sent, "holdout": group.holdout}


def outcome_sentence(*, outcome: Outcome, group: GroupOutcome) -> str:
    """One plain sentence: the effect with its interval, no measurable effect, or too small."""
    if not outcome.has_holdout:
        return _("This campaign has no holdout, so its effect cannot be measured.")
    if group.estimate is not None and min(group.sent, group.holdout) >= outcome.min_creators:
        if not group.estimate.cuped.se > 0:
            return _(
                "%(metric)s does not vary in these windows (no data yet?): nothing to measure."
            ) % {"metric": Metric(outcome.metric).label}
    if group.too_small or group.estimate is None:
        return outcome_too_small_sentence(outcome=outcome, group=group)
    effect = group.estimate.cuped
    figures = {
        "metric": Metric(outcome.metric).label,
        "effect": _number(effect.estimate),
        "per_thousand": _number(effect.estimate * 1000),
        "low": _number(effect.low),
        "high": _number(effect.high),
        "days": outcome.window_days,
        "p": f"{effect.p_value:.4f}",
    }
    if effect.p_value < 0.05:
        sentence = (
            _(
                "Being sent this campaign changed %(metric)s by %(effect)s per creator over the "
                "%(days)s days after the send (%(per_thousand)s per 1,000 creators sent); 95%% "
                "confidence interval %(low)s to %(high)s, p = %(p)s."
            )
            % figures
        )
    else:
        sentence = (
            _(
                "No measurable effect on %(metric)s over the %(days)s days after the send: the "
                "estimate is %(effect)s per creator, and its 95%% confidence interval, %(low)s to "
                "%(high)s, includes zero (p = %(p)s)."
            )
            % figures
        )
    if not outcome.window_complete:
        sentence += " " + _(
            "The post window is not over yet (it ends on %(day)s): these figures will change."
        ) % {"day": outcome.post_window_ends.isoformat() if outcome.post_window_ends else "—"}
    return sentence
