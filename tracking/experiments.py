"""Selectors for a campaign's experiments: per-variant rates with 95% intervals and the
significance of their difference, policy outcomes (capped, held out) and holdout uplift."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Delivery
from creators.models import Creator
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


# Creator outcomes the uplift can compare (columns updated by imports).
UPLIFT_OUTCOMES: dict[str, str] = {
    "gmv_30d": "c.gmv_30d::float8",
    "active": "CASE WHEN c.last_active_at >= %(since)s THEN 1.0 ELSE 0.0 END",
}


def campaign_uplift_get(
    *, campaign: Campaign, outcome: str = "gmv_30d", since: datetime | None = None
) -> significance.Uplift | None:
    """Compare a creator outcome between creators sent the campaign and its holdout.

    `gmv_30d` is the GMV of the last 30 days as last imported; `active` is the share active
    (last_active_at) since `since` (default: the launch). Welch's standard error, normal 95%
    interval. None without a holdout or with fewer than two creators in a group."""
    if not campaign.holdout_percent:
        return None  # no holdout, nothing to compare (and no PostgreSQL-only query to run)
    expression = UPLIFT_OUTCOMES[outcome]
    since = since or campaign.launched_at
    if outcome == "active" and since is None:
        return None
    table, creators = Delivery._meta.db_table, Creator._meta.db_table
    params: dict[str, Any] = {
        "campaign": campaign.pk,
        "sent": Delivery.Status.SENT,
        "holdout": Delivery.Status.HOLDOUT,
        "since": connection.ops.adapt_datetimefield_value(since),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT g.arm, COUNT(*), AVG({expression}), COALESCE(VAR_SAMP({expression}), 0)
            FROM (
                SELECT creator_id,
                       CASE WHEN BOOL_OR(status = %(sent)s) THEN 'sent' ELSE 'holdout' END AS arm
                FROM {table} WHERE campaign_id = %(campaign)s
                  AND status IN (%(sent)s, %(holdout)s)
                GROUP BY creator_id
            ) g JOIN {creators} c ON c.id = g.creator_id
            GROUP BY g.arm
            """,
            params,
        )
        groups = {arm: (count, float(mean or 0), float(var)) for arm, count, mean, var in cursor}
    if "sent" not in groups or "holdout" not in groups:
        return None
    (n_sent, mean_sent, var_sent), (n_hold, mean_hold, var_hold) = (
        groups["sent"],
        groups["holdout"],
    )
    return significance.uplift_welch(
        mean_sent=mean_sent,
        var_sent=var_sent,
        n_sent=n_sent,
        mean_holdout=mean_hold,
        var_holdout=var_hold,
        n_holdout=n_hold,
    )
