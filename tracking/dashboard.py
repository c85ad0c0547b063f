"""Ops pages: a campaign's stats (funnel, rates, hourly chart, top links, failures, CSV) and
the campaigns list with OR/CTR per channel. Login and `campaigns.view_campaign` required."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.services import audit_record
from campaigns.models import Campaign
from campaigns.selectors import campaign_skips_get
from common.csv import csv_writer
from common.http import AuthenticatedHttpRequest
from common.sections import page_sections_render
from creators.models import Channel
from tracking import chart as activity
from tracking import experiments, exports, retarget, selectors


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_stats(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    stats = selectors.campaign_stats_get(campaign=campaign)
    chart = activity.campaign_activity_chart(campaign=campaign)
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
            "chart_data": chart.as_json(),
            "retarget_choices": [
                (choice, choice.replace("_", "-"), label)
                for choice, label in retarget.CHOICES.items()
            ],
            "export_outcomes": list(exports.OUTCOMES.items()),
            "bot_click_seconds": settings.TRACKING_BOT_CLICK_SECONDS,
            "burst_links": settings.TRACKING_BURST_LINKS,
            "burst_seconds": settings.TRACKING_BURST_SECONDS,
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


# Receipts, opens and clicks keep arriving after the last send: the campaign page's card
# keeps following them this long after the run ends.
SUMMARY_SETTLE = timedelta(minutes=10)


def campaign_summary_live(campaign: Campaign) -> bool:
    if campaign.status in (Campaign.Status.SENDING, Campaign.Status.PAUSED):
        return True
    return (
        campaign.status == Campaign.Status.SENT
        and campaign.finished_at is not None
        and timezone.now() - campaign.finished_at < SUMMARY_SETTLE
    )


def campaign_summary_section(request: HttpRequest, campaign: Campaign) -> str:
    """The campaign page's "Opens and clicks" card (a section registered in TrackingConfig)."""
    stats = selectors.campaign_stats_get(campaign=campaign, detail=False)
    channels = [
        (channel, Channel(channel).label, figures)
        for channel, figures in stats.channels.items()
        if channel in campaign.channels
    ]
    return render_to_string(
        "tracking/_campaign_summary.html",
        {
            "campaign": campaign,
            "stats_channels": channels,
            "live": campaign_summary_live(campaign),
        },
        request=request,
    )


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the campaign page's "Opens and clicks" card, polled while it can still move."""
    campaign = get_object_or_404(Campaign, pk=pk)
    return HttpResponse(campaign_summary_section(request, campaign))


@require_POST
@login_required
@permission_required(["campaigns.view_campaign", "segments.add_segment"], raise_exception=True)
def campaign_retarget(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One click on the stats page: a static segment of who clicked, opened but did not
    click, did not open, or was not reached (tracking/retarget.py); then its page."""
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        segment = retarget.retarget_segment_create(
            campaign=campaign, choice=request.POST.get("choice", ""), actor=request.user
        )
    except retarget.RetargetChoiceUnknown as error:
        return HttpResponseBadRequest(escape(str(error)))
    messages.success(request, _("Segment “%(name)s” created.") % {"name": segment.name})
    return redirect(segment)


@require_POST
@login_required
@permission_required(
    ["campaigns.view_campaign", "campaigns.add_campaign", "segments.add_segment"],
    raise_exception=True,
)
def campaign_follow_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The same segment, and a new draft campaign to it: the wizard's audience step."""
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        follow_up = retarget.retarget_follow_up_create(
            campaign=campaign, choice=request.POST.get("choice", ""), actor=request.user
        )
    except retarget.RetargetChoiceUnknown as error:
        return HttpResponseBadRequest(escape(str(error)))
    messages.success(
        request,
        _("Follow-up campaign drafted for segment “%(name)s”.") % {"name": follow_up.segment},
    )
    return redirect("campaign-audience", pk=follow_up.pk)


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_deliveries_csv(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponse | StreamingHttpResponse:
    """Every delivery of the campaign as CSV, streamed; `?outcome=` narrows it."""
    campaign = get_object_or_404(Campaign, pk=pk)
    outcome = request.GET.get("outcome", "")
    if outcome not in exports.OUTCOMES:
        return HttpResponseBadRequest(
            escape(_("Unknown outcome: choose clicked, opened, replied, not opened or failed."))
        )
    audit_record(actor=request.user, action="campaign.download", target=campaign)
    response = StreamingHttpResponse(
        exports.deliveries_csv_lines(campaign=campaign, outcome=outcome),
        content_type="text/csv; charset=utf-8",
    )
    name = f"campaign-{campaign.pk}-deliveries{'-' + outcome if outcome else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
