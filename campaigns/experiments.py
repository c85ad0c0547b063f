"""A/B tests: results per variant and, for a campaign with a test phase, the winner pick
(docs/policies.md).

Fan-out assigns the variants (`policies.Split`, campaigns/fanout.py); here the test phase
ends: `campaign_winner_pick` (the Celery task of the same name, queued by fan-out
`winner_after_minutes` later) picks the best variant and fans it out to the remainder.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from audit.services import audit_record
from campaigns import enqueue, fanout
from campaigns.models import Campaign, Delivery

Status = Campaign.Status


def campaign_has_test_phase(campaign: Campaign) -> bool:
    """The variants go to a test share first, the winner to the rest later."""
    return bool(campaign.test_percent) and len(campaign.variant_weights or {}) >= 2


def campaign_variant_results(*, campaign: Campaign, run: int) -> dict[str, dict[str, int]]:
    """Sent, opened and clicked deliveries per variant of a run (humans only: tracking sets
    first_opened_at / first_clicked_at for human events)."""
    rows = (
        Delivery.objects.filter(campaign=campaign, run=run, status=Delivery.Status.SENT)
        .exclude(variant="")
        .values("variant")
        .annotate(
            sent=Count("id"),
            opened=Count("id", filter=Q(first_opened_at__isnull=False)),
            clicked=Count("id", filter=Q(first_clicked_at__isnull=False)),
        )
    )
    results = {key: {"sent": 0, "opened": 0, "clicked": 0} for key in campaign.variant_weights}
    for row in rows:
        results[row["variant"]] = {key: row[key] for key in ("sent", "opened", "clicked")}
    return results


@transaction.atomic
def campaign_winner_pick(*, campaign_id: int, run: int, now: datetime | None = None) -> str | None:
    """End a test phase: pick the variant with the best CTR (or OR) among the test share and
    fan it out to the remainder. Runs once per run; the remainder never overlaps the test
    share (buckets) and the unique delivery key makes a repeat a no-op."""
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if (
        campaign is None
        or campaign.status not in (Status.SENDING, Status.PAUSED)
        or campaign.last_run != run
        or campaign.winner_picked_at is not None
        or not campaign_has_test_phase(campaign)
    ):
        return None
    metric = "clicked" if campaign.winner_metric == "ctr" else "opened"
    results = campaign_variant_results(campaign=campaign, run=run)

    def rate(key: str) -> float:
        sent = results[key]["sent"]
        return results[key][metric] / sent if sent else 0.0

    winner = max(sorted(results), key=rate)
    campaign.winner_variant, campaign.winner_picked_at = winner, now or timezone.now()
    campaign.save(update_fields=["winner_variant", "winner_picked_at"])
    audit_record(
        actor=None,
        action="campaign.winner",
        target=campaign,
        detail={"variant": winner, "metric": campaign.winner_metric, "results": results},
    )
    fanout.deliveries_create(campaign=campaign, run=run, phase="remainder", now=now)
    if campaign.status == Status.SENDING:
        transaction.on_commit(lambda: enqueue.campaign_dispatch_start(campaign_id))
    return winner
