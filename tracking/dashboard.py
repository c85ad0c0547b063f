"""Ops pages: a campaign's stats (funnel, rates, hourly chart, top links, failures, CSV) and
the campaigns list with OR/CTR per channel. Login and `campaigns.view_campaign` required."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date

from campaigns.models import Campaign
from campaigns.selectors import campaign_skips_get
from common.csv import csv_writer
from common.sections import page_sections_render
from creators.models import Channel
from tracking import experiments, selectors


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_stats(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    stats = selectors.campaign_stats_get(campaign=campaign)
    chart = {
        "labels": [
            timezone.localtime(row["hour"]).strftime("%Y-%m-%d %H:00") for row in stats.hourly
        ],
        "opened": [row["opened"] for row in stats.hourly],
        "clicked": [row["clicked"] for row in stats.hourly],
        "machine_opens": [row["machine_opens"] for row in stats.hourly],
        "bot_clicks": [row["bot_clicks"] for row in stats.hourly],
    }
    used = [
        (channel, figures)
        for channel, figures in stats.channels.items()
        if figures.targeted or channel in campaign.channels
    ]
    return render(
        request,
        "tracking/campaign_stats.html",
        {
            "campaign": campaign,
            "stats": stats,
            "channels": used,
            "chart": chart,
            "skips": campaign_skips_get(campaign=campaign),
            "experiment": experiments.campaign_experiment_get(campaign=campaign),
            "policy_counts": experiments.policy_counts_get(campaign=campaign),
            # The outcome against the holdout (outcomes app) is one of these.
            "sections": page_sections_render(
                page="campaign_stats", request=request, subject=campaign
            ),
        },
    )


CSV_COLUMNS = (
    "channel",
    "locale",
    "variant",
    "targeted",
    "sent",
    "delivered",
    "failed",
    "unique_opens",
    "unique_clicks",
    "machine_opens",
    "bot_clicks",
    "bounced",
    "complained",
    "unsubscribed",
    "open_rate",
    "click_rate",
    "click_to_open_rate",
    "delivery_rate",
    "bounce_rate",
    "complaint_rate",
    "unsubscribe_rate",
)


def _csv_row(channel: str, locale: str, variant: str, figures: selectors.Figures) -> list:
    return [
        channel,
        locale,
        variant,
        figures.targeted,
        figures.sent,
        figures.delivered,
        figures.failed,
        figures.opened,
        figures.clicked,
        figures.machine_opens,
        figures.bot_clicks,
        figures.bounced,
        figures.complained,
        figures.unsubscribed,
        *(
            f"{rate:.6f}"
            for rate in (
                figures.open_rate,
                figures.click_rate,
                figures.click_to_open_rate,
                figures.delivery_rate,
                figures.bounce_rate,
                figures.complaint_rate,
                figures.unsubscribe_rate,
            )
        ),
    ]


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_stats_csv(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    stats = selectors.campaign_stats_get(campaign=campaign, detail=False)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-stats.csv"'
    writer = csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    for channel, locale, variant, figures in stats.segments:
        writer.writerow(_csv_row(channel, locale, variant, figures))
    for channel, figures in stats.channels.items():
        writer.writerow(_csv_row(channel, "*", "*", figures))
    writer.writerow(_csv_row("*", "*", "*", stats.totals))
    return response


def _day(value: str, *, end: bool = False) -> datetime | None:
    try:
        day = parse_date(value or "")
    except ValueError:  # well formed but no such day (2026-13-45): no filter, as for "abc"
        day = None
    if day is None:
        return None
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timedelta(days=1) if end else moment


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    market = request.GET.get("market", "")
    sort = request.GET.get("sort", "-created")
    rows = selectors.campaign_rows_list(
        kind=kind if kind in Campaign.Kind.values else "",
        market=market.upper()[:2],
        since=_day(request.GET.get("since", "")),
        until=_day(request.GET.get("until", ""), end=True),
        sort=sort,
    )
    markets = Campaign.objects.order_by().values_list("market", flat=True).distinct()
    return render(
        request,
        "tracking/campaign_list.html",
        {
            "rows": rows,
            "kinds": Campaign.Kind.choices,
            "markets": sorted(markets),
            "channels": selectors.CHANNELS,
            "filters": {
                "kind": kind,
                "market": market,
                "since": request.GET.get("since", ""),
                "until": request.GET.get("until", ""),
                "sort": sort,
            },
        },
    )


def campaign_summary_section(request: HttpRequest, campaign: Campaign) -> str:
    """The campaign page's "Opens and clicks" card (a section registered in TrackingConfig)."""
    stats = selectors.campaign_stats_get(campaign=campaign, detail=False)
    channels = [
        (Channel(channel).label, figures)
        for channel, figures in stats.channels.items()
        if channel in campaign.channels
    ]
    return render_to_string(
        "tracking/_campaign_summary.html",
        {"campaign": campaign, "stats_channels": channels},
        request=request,
    )
