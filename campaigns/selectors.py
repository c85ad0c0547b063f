from django.db.models import Count

from campaigns.models import Campaign, Delivery


def campaign_delivery_counts(
    *, campaign: Campaign, run: int | None = None
) -> dict[str, dict[str, int]]:
    """Deliveries per channel and state for a run (the latest by default)."""
    run = campaign.last_run if run is None else run
    counts: dict[str, dict[str, int]] = {channel: {} for channel in campaign.channels}
    rows = (
        Delivery.objects.filter(campaign=campaign, run=run)
        .values("channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["channel"], {})[row["status"]] = row["n"]
    return counts


def deliveries_needing_attention(*, campaign: Campaign):
    """Deliveries ops must look at: `unknown` (a worker died mid-send) and failed ones."""
    return Delivery.objects.filter(
        campaign=campaign, status__in=[Delivery.Status.UNKNOWN, Delivery.Status.FAILED]
    ).select_related("creator")
