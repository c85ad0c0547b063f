"""Selectors for a campaign's experiments: per-variant rates with 95% intervals and the
significance of their difference, and policy outcomes (capped, held out). What being sent
did to creators' metrics against the holdout is the outcomes app's (docs/outcomes.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Delivery
from tracking import significance
from tracking.counts import delivery_counts_get


@dataclass
class VariantRow:
    variant: str
    weight: float
    sent: int
    opened: int
    clicked: int
    open_rate: float
    click_rate: float
    open_ci: significance.Interval
    click_ci: significance.Interval


@dataclass
class Experiment:
    rows: list[VariantRow]
    metric: str  # "ctr" or "or": the rate the winner is (or would be) picked by
    comparison: significance.Comparison | None
    too_small: bool
    verdict: str
    leader: str = ""
    winner: str = ""
    holdout: int = 0
    policy_counts: dict[str, int] = field(default_factory=dict)


def _variant_counts(campaign: Campaign) -> dict[str, tuple[int, int, int]]:
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT variant, COUNT(*), COUNT(first_opened_at), COUNT(first_clicked_at) "
            f"FROM {table} WHERE campaign_id = %s AND run = %s AND status = %s AND variant <> '' "
            "GROUP BY variant",
            [campaign.pk, campaign.last_run, Delivery.Status.SENT],
        )
        return {variant: (sent, opened, clicked) for variant, sent, opened, clicked in cursor}


def policy_counts_get(*, campaign: Campaign) -> dict[str, int]:
    """Deliveries of the last run that policies kept back: capped and held out. Read from the
    campaign's delivery counts (snapshot or cache, tracking/counts.py), not a fresh scan."""
    statuses = delivery_counts_get(campaign=campaign)["statuses"].get(str(campaign.last_run), {})
    return {
        "skipped_cap": statuses.get(Delivery.Status.SKIPPED_CAP, 0),
        "holdout": statuses.get(Delivery.Status.HOLDOUT, 0),
    }


def campaign_experiment_get(*, campaign: Campaign) -> Experiment | None:
    """The A/B figures of the campaign's last run, or None when it has no variants."""
    weights = campaign.variant_weights or {}
    policy_counts = policy_counts_get(campaign=campaign)
    if not weights:
        return None
    counts = _variant_counts(campaign)
    rows = []
    for variant in sorted(set(weights) | set(counts)):
        sent, opened, clicked = counts.get(variant, (0, 0, 0))
        rows.append(
            VariantRow(
                variant=variant,
                weight=float(weights.get(variant, 0)),
                sent=sent,
                opened=opened,
                clicked=clicked,
                open_rate=opened / sent if sent else 0.0,
                click_rate=clicked / sent if sent else 0.0,
                open_ci=significance.wilson_interval(opened, sent),
                click_ci=significance.wilson_interval(clicked, sent),
            )
        )
    metric = campaign.winner_metric
    pairs = [(row.clicked if metric == "ctr" else row.opened, row.sent) for row in rows]
    comparison = significance.proportions_compare(pairs)
    too_small = significance.sample_too_small(pairs, minimum=settings.AB_MIN_SAMPLE)
    leader = ""
    if rows:
        best = max(rows, key=lambda row: row.click_rate if metric == "ctr" else row.open_rate)
        leader = best.variant
    if too_small:
        verdict = _(
            "The sample is too small to call a winner: each variant needs at least %(minimum)s "
            "sends and 5 expected successes and failures."
        ) % {"minimum": settings.AB_MIN_SAMPLE}
    elif comparison is None or comparison.p_value >= 0.05:
        verdict = _("No significant difference between the variants (95% confidence).")
    else:
        verdict = _("Variant %(variant)s leads; the difference is significant (p = %(p)s).") % {
            "variant": leader,
            "p": f"{comparison.p_value:.4f}",
        }
    return Experiment(
        rows=rows,
        metric=metric,
        comparison=comparison,
        too_small=too_small,
        verdict=verdict,
        leader=leader,
        winner=campaign.winner_variant,
        holdout=policy_counts["holdout"],
        policy_counts=policy_counts,
    )
