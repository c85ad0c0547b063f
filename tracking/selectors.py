"""Campaign figures for the dashboards and the stats API, read from the rollups.

Event figures (delivered, opens, clicks, bounces…) come from `Rollup`/`LinkRollup`, kept
current by `tracking.services.event_record`, so a page view never scans the event table.
Delivery-state figures (targeted, sent, failed) come from `tracking.counts`: a snapshot for
a finished campaign, a briefly cached grouped count for a running one. Definitions:
docs/tracking.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from django.db import connection
from django.db.models import OuterRef, QuerySet

from campaigns.models import Campaign
from creators.models import Creator
from creators.services import portal_link_revoked
from tracking.counts import delivery_counts_get
from tracking.models import Event, FailureRollup, LinkRollup, Rollup, TrackedLink
from tracking.replies import ReplyCounts, reply_counts_get
from tracking.tokens import creator_app_token_read

CHANNELS = ("email", "whatsapp", "push", "inbox")
# Channels with delivery receipts; on the others (push, inbox) delivered means accepted.
RECEIPT_CHANNELS = frozenset({"email", "whatsapp"})
ROLLUP_COLUMNS = (
    "delivered",
    "opened",
    "clicked",
    "opens_total",
    "clicks_total",
    "machine_opens",
    "bot_clicks",
    "bounced",
    "complained",
    "unsubscribed",
)


def _rate(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


@dataclass
class Figures:
    """One row of figures (a channel, a channel × language, or a campaign's totals)."""

    targeted: int = 0
    sent: int = 0
    refused: int = 0  # deliveries the provider refused outright (status `failed`)
    receipts: int = 0  # unique delivered receipts (email, WhatsApp)
    opened: int = 0
    clicked: int = 0
    opens_total: int = 0
    clicks_total: int = 0
    machine_opens: int = 0
    bot_clicks: int = 0
    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0
    replied: int = 0  # WhatsApp deliveries answered (tracking/replies.py)
    opted_out: int = 0  # WhatsApp deliveries answered with an opt-out keyword
    has_receipts: bool = True

    def add(self, other: Figures) -> None:
        for name, value in asdict(other).items():
            if name != "has_receipts":
                setattr(self, name, getattr(self, name) + value)

    @property
    def delivered(self) -> int:
        return self.receipts if self.has_receipts else self.sent

    @property
    def failed(self) -> int:
        return self.refused + self.bounced

    @property
    def open_rate(self) -> float:
        return _rate(self.opened, self.delivered)

    @property
    def click_rate(self) -> float:
        return _rate(self.clicked, self.delivered)

    @property
    def click_to_open_rate(self) -> float:
        return _rate(self.clicked, self.opened)

    @property
    def delivery_rate(self) -> float:
        return _rate(self.delivered, self.sent)

    @property
    def bounce_rate(self) -> float:
        return _rate(self.bounced, self.sent)

    @property
    def complaint_rate(self) -> float:
        return _rate(self.complained, self.delivered)

    @property
    def unsubscribe_rate(self) -> float:
        return _rate(self.unsubscribed, self.delivered)

    @property
    def reply_rate(self) -> float:
        # Over sent, not delivered: a reply proves delivery even when the receipt was lost.
        return _rate(self.replied, self.sent)

    def api(self) -> dict[str, Any]:
        """Exactly the keys of `GET /api/campaigns/{id}/stats` per channel."""
        return {
            "targeted": self.targeted,
            "sent": self.sent,
            "delivered": self.delivered,
            "failed": self.failed,
            "unique_opens": self.opened,
            "unique_clicks": self.clicked,
            "machine_opens": self.machine_opens,
            "bot_clicks": self.bot_clicks,
            "open_rate": self.open_rate,
            "click_rate": self.click_rate,
            "replied": self.replied,
            "reply_rate": self.reply_rate,
            "opted_out": self.opted_out,
        }


@dataclass
class CampaignStats:
    campaign: Campaign
    totals: Figures
    channels: dict[str, Figures]
    segments: list[tuple[str, str, str, Figures]]  # channel, locale, variant, figures
    hourly: list[dict[str, Any]]
    top_links: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)
    # WhatsApp quick-reply button presses per payload, most pressed first.
    buttons: dict[str, int] = field(default_factory=dict)

    def api(self) -> dict[str, Any]:
        return {
            "totals": self.totals.api(),
            "channels": {channel: figures.api() for channel, figures in self.channels.items()},
            "buttons": self.buttons,
        }


def campaign_stats_get(
    *, campaign: Campaign, detail: bool = True, replies: bool = True
) -> CampaignStats:
    """Every figure of the campaign page (and the stats API) from the rollups; WhatsApp
    replies (two indexed counts) unless `replies` is off (the campaigns list)."""
    segments: dict[tuple[str, str, str], Figures] = {}

    def segment(channel: str, locale: str, variant: str) -> Figures:
        key = (channel, locale, variant)
        if key not in segments:
            segments[key] = Figures(has_receipts=channel in RECEIPT_CHANNELS)
        return segments[key]

    deliveries = delivery_counts_get(campaign=campaign)
    for key, entry in deliveries["counts"].items():
        channel, locale, variant = key.split("|")
        figures = segment(channel, locale, variant)
        figures.targeted, figures.sent, figures.refused = (
            entry["targeted"],
            entry["sent"],
            entry["refused"],
        )
    sums = ", ".join(f"SUM({column})" for column in ROLLUP_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT channel, locale, variant, {sums} FROM {Rollup._meta.db_table} "
            "WHERE campaign_id = %s GROUP BY 1, 2, 3",
            [campaign.pk],
        )
        for channel, locale, variant, *values in cursor.fetchall():
            figures = segment(channel, locale, variant)
            (
                figures.receipts,
                figures.opened,
                figures.clicked,
                figures.opens_total,
                figures.clicks_total,
                figures.machine_opens,
                figures.bot_clicks,
                figures.bounced,
                figures.complained,
                figures.unsubscribed,
            ) = (int(value or 0) for value in values)
    channels = {channel: Figures(has_receipts=channel in RECEIPT_CHANNELS) for channel in CHANNELS}
    totals = Figures()
    for (channel, _locale, _variant), figures in segments.items():
        channels.setdefault(channel, Figures(has_receipts=channel in RECEIPT_CHANNELS)).add(figures)
    answered = reply_counts_get(campaign_id=campaign.pk) if replies else ReplyCounts()
    channels["whatsapp"].replied, channels["whatsapp"].opted_out = (
        answered.replied,
        answered.opted_out,
    )
    for figures in channels.values():
        # Totals add each channel's delivered (receipts, or accepted where there are none).
        totals.add(Figures(**{**asdict(figures), "receipts": figures.delivered}))
    stats = CampaignStats(
        campaign=campaign,
        totals=totals,
        channels=channels,
        segments=[(c, loc, v, f) for (c, loc, v), f in sorted(segments.items())],
        hourly=[],
        top_links=[],
        failures=[],
        buttons=dict(answered.buttons),
    )
    if detail:
        stats.hourly = _hourly(campaign.pk)
        stats.top_links = _top_links(campaign.pk)
        stats.failures = _failures(campaign.pk, deliveries["refusals"])
    return stats


def _hourly(campaign_id: int) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hour, SUM(opened), SUM(clicked), SUM(machine_opens), SUM(bot_clicks) "
            f"FROM {Rollup._meta.db_table} WHERE campaign_id = %s GROUP BY hour ORDER BY hour",
            [campaign_id],
        )
        return [
            {
                "hour": hour,
                "opened": int(o),
                "clicked": int(c),
                "machine_opens": int(m),
                "bot_clicks": int(b),
            }
            for hour, o, c, m, b in cursor.fetchall()
        ]


def _top_links(campaign_id: int, limit: int = 10) -> list[dict[str, Any]]:
    rows = list(
        LinkRollup.objects.filter(campaign_id=campaign_id)
        .order_by("-clicks", "-bot_clicks", "link_id")
        .values("link_id", "clicks", "bot_clicks")[:limit]
    )
    urls = dict(
        TrackedLink.objects.filter(pk__in=[row["link_id"] for row in rows]).values_list("pk", "url")
    )
    return [{**row, "url": urls.get(row["link_id"], "")} for row in rows]


def _failures(campaign_id: int, refusals: dict[str, int]) -> list[dict[str, Any]]:
    """Refusals at send time by the provider's code, and failures reported afterwards
    (bounces, drops, undelivered) by code, from their rollup."""
    found: dict[tuple[str, str, str], int] = {}
    for key, number in refusals.items():
        channel, code = key.split("|", 1)
        found[(channel, "refused", code or "—")] = number
    for channel, code, number in FailureRollup.objects.filter(campaign_id=campaign_id).values_list(
        "channel", "error_code", "count"
    ):
        if number:
            found[(channel, "bounced", code or "—")] = number
    return [
        {"channel": channel, "stage": stage, "code": code, "count": number}
        for (channel, stage, code), number in sorted(found.items(), key=lambda item: -item[1])
    ]


@dataclass
class CampaignRow:
    campaign: Campaign
    totals: Figures
    channels: dict[str, Figures]


SORTS = {
    "created": lambda row: row.campaign.created_at,
    "name": lambda row: row.campaign.name.lower(),
    "open_rate": lambda row: row.totals.open_rate,
    "click_rate": lambda row: row.totals.click_rate,
    "delivered": lambda row: row.totals.delivered,
}


def campaign_rows_list(
    *,
    kind: str = "",
    market: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    sort: str = "-created",
    limit: int = 200,
) -> list[CampaignRow]:
    """Campaigns with OR/CTR per channel, filtered by kind, market and creation date."""
    campaigns = Campaign.objects.exclude(status=Campaign.Status.DRAFT)
    if kind:
        campaigns = campaigns.filter(kind=kind)
    if market:
        campaigns = campaigns.filter(market=market)
    if since:
        campaigns = campaigns.filter(created_at__gte=since)
    if until:
        campaigns = campaigns.filter(created_at__lt=until)
    rows = []
    for campaign in campaigns.order_by("-created_at")[:limit]:
        stats = campaign_stats_get(campaign=campaign, detail=False, replies=False)
        rows.append(CampaignRow(campaign, stats.totals, stats.channels))
    name = sort.lstrip("-")
    if name in SORTS:
        rows.sort(key=SORTS[name], reverse=sort.startswith("-"))
    return rows


def creator_for_app_token(*, token: str) -> Creator | None:
    """The creator the app's bearer token names, or None: forged, expired
    (CREATOR_APP_TOKEN_MAX_AGE), or made before the creator's portal access was revoked."""
    read = creator_app_token_read(token)
    if read is None:
        return None
    creator = Creator.objects.filter(pk=read.creator_id).first()
    if creator is None or portal_link_revoked(creator=creator, signed_at=read.signed_at):
        return None
    return creator


def provider_events(*, provider: str) -> QuerySet[Event]:
    """The events `provider` ("sendgrid", "twilio") reported about the delivery
    `OuterRef("pk")`: for `Exists(...)` over deliveries."""
    return Event.objects.filter(delivery_id=OuterRef("pk"), source=provider)


class IntakeHealth(TypedDict):
    """What waits to be recorded: queued tracking hits (`writebehind.backlog_get`) and
    provider webhook batches stored but not applied yet."""

    hits_queued: int
    hits_processing: int
    hits_claims: int
    hits_oldest_age_seconds: float
    webhook_batches_unapplied: int
    webhook_batches_oldest_age_seconds: float


def intake_health_get() -> IntakeHealth:
    from django.db.models import Count, Min
    from django.utils import timezone

    from tracking.models import WebhookBatch
    from tracking.writebehind import backlog_get

    backlog = backlog_get()
    batches = WebhookBatch.objects.filter(applied_at__isnull=True).aggregate(
        n=Count("pk"), oldest=Min("received_at")
    )
    oldest = batches["oldest"]
    return {
        "hits_queued": backlog["queued"],
        "hits_processing": backlog["processing"],
        "hits_claims": backlog["claims"],
        "hits_oldest_age_seconds": backlog["oldest_age_seconds"],
        "webhook_batches_unapplied": batches["n"],
        "webhook_batches_oldest_age_seconds": round((timezone.now() - oldest).total_seconds(), 3)
        if oldest is not None
        else 0.0,
    }
