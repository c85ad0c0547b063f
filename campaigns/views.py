"""Ops pages for campaigns: the list, the wizard, review and approvals, the campaign page.

Each view parses its input, calls one service (or selector) and responds; permissions are
checked on the URL, so a forbidden request is a 403 whatever the page shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import approvals, drafting, resend, selectors, sequences, services, testsend
from campaigns.exceptions import (
    CampaignIncomplete,
    CampaignNotApproved,
    MessageInvalid,
)
from campaigns.experiments import campaign_has_test_phase
from campaigns.forms import (
    AudienceForm,
    BasicsForm,
    DeliveryFilterForm,
    ExperimentForm,
    RejectForm,
    ResendForm,
    ScheduleForm,
    TestSendForm,
    message_fields_parse,
    message_form_fields,
    variables_format,
)
from campaigns.launch_counts import campaign_launch_counts
from campaigns.lifecycle import campaign_launchable_check
from campaigns.models import Campaign, Message, TriggerMatch
from campaigns.policies import campaign_frequency_cap
from campaigns.preview import message_preview, variable_hints
from campaigns.recurrence import crontab_describe
from campaigns.whatsapp_templates import picker_context
from campaigns.whatsapp_window import campaign_window_mode
from common.exceptions import AltavozError
from common.http import AuthenticatedHttpRequest
from common.inputs import query_id
from common.pagination import KnownCountPaginator
from common.sections import page_sections_render
from creators.models import Channel, Creator, Locale
from segments.models import Segment

VIEW = "campaigns.view_campaign"
ADD = "campaigns.add_campaign"
CHANGE = "campaigns.change_campaign"
LAUNCH = "campaigns.launch_campaign"
APPROVE = "campaigns.approve_campaign"


def permission_needed(permission: str) -> Callable:
    """login_required + permission_required(raise_exception=True): anonymous users are sent to
    the login page, signed-in users without the permission get a 403."""

    def decorate(view: Callable) -> Callable:
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


def campaign_or_404(pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("segment", "owner"), pk=pk)


def _wizard(
    request: HttpRequest,
    template: str,
    campaign: Campaign | None,
    step: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        f"campaigns/{template}",
        {"campaign": campaign, "step": step, **context},
        status=status,
    )


# --- List ---------------------------------------------------------------------------------------


@require_GET
@permission_needed(VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Campaign.Status.values:
        status = ""
    page = Paginator(selectors.campaign_list_get(status=status), 25).get_page(
        request.GET.get("page")
    )
    progress = selectors.campaign_list_progress(campaigns=page.object_list)
    rows = [(campaign, progress.get(campaign.pk)) for campaign in page.object_list]
    return render(
        request,
        "campaigns/campaign_list.html",
        {"page": page, "rows": rows, "status": status, "statuses": Campaign.Status.choices},
    )


# --- Wizard: basics → audience → messages → schedule → review ----------------------------------


@permission_needed(ADD)
def campaign_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BasicsForm(request.POST or None)
    if request.method != "POST":
        return _wizard(request, "wizard_basics.html", None, "basics", {"form": form})
    if not form.is_valid():
        return _wizard(request, "wizard_basics.html", None, "basics", {"form": form}, 400)
    campaign = services.campaign_create(owner=request.user, **form.cleaned_data)
    return redirect("campaign-audience", pk=campaign.pk)


def _edit(
    request: HttpRequest,
    campaign: Campaign,
    template: str,
    step: str,
    form: Any,
    service: Callable[..., Any],
    next_url: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A wizard step's POST: validate, call the step's service, go on (or show why not)."""
    context = {"form": form, **(context or {})}
    if request.method != "POST":
        return _wizard(request, template, campaign, step, context)
    if not form.is_valid():
        return _wizard(request, template, campaign, step, context, 400)
    try:
        service(campaign=campaign, **form.cleaned_data)
    except AltavozError as error:
        context["error"] = str(error)
        return _wizard(request, template, campaign, step, context, 400)
    return redirect(next_url)


@permission_needed(CHANGE)
def campaign_basics(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    initial = {name: getattr(campaign, name) for name in BasicsForm.base_fields}
    form = BasicsForm(request.POST or None, initial=initial)
    return _edit(
        request,
        campaign,
        "wizard_basics.html",
        "basics",
        form,
        drafting.campaign_basics_set,
        reverse("campaign-audience", args=[pk]),
    )


@permission_needed(CHANGE)
def campaign_audience(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    form = AudienceForm(
        request.POST or None,
        initial={"segment": campaign.segment_id, "channels": campaign.channels},
    )
    return _edit(
        request,
        campaign,
        "wizard_audience.html",
        "audience",
        form,
        drafting.campaign_audience_set,
        reverse("campaign-messages", args=[pk]),
        {**_counts_lazy(campaign), "channel_labels": dict(Channel.choices)},
    )


def _counts_lazy(campaign: Campaign, *, window: bool = False) -> dict[str, Any]:
    """The campaign's segment counts if cached, else the URL the page loads them from with
    htmx (`counts_url`): counting a 1M-creator segment takes seconds (docs/segments.md)."""
    counts = selectors.segment_reachable_counts_if_cached(segment=campaign.segment)
    if counts is not None or campaign.segment_id is None:
        return {"counts": counts, "counts_url": ""}
    query = f"?segment={campaign.segment_id}" + ("&window=1" if window else "")
    return {
        "counts": None,
        "counts_url": reverse("campaign-audience-counts", args=[campaign.pk]) + query,
    }


@require_GET
@permission_needed(VIEW)
def campaign_audience_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the chosen segment's size and reachable creators per channel (cached briefly);
    with `window=1` (the review step) also what the campaign's WhatsApp message does on
    each side of the 24-hour window."""
    campaign = campaign_or_404(pk)
    segment_id = query_id(request, "segment")
    segment = Segment.objects.filter(pk=segment_id).first() if segment_id else None
    counts = selectors.segment_reachable_counts_cached(segment=segment) if segment else None
    window_mode = (
        campaign_window_mode(campaign_id=campaign.pk)
        if request.GET.get("window") == "1" and Channel.WHATSAPP in campaign.channels
        else ""
    )
    return render(
        request,
        "campaigns/_audience_counts.html",
        {"counts": counts, "channel_labels": dict(Channel.choices), "window_mode": window_mode},
    )


def campaign_variant_keys(campaign: Campaign) -> list[str]:
    """The A/B variants the messages step writes a message for ([""]: no A/B test)."""
    return sorted(campaign.variant_weights or {}) or [""]


def _tabs(campaign: Campaign, copy_from: str = "") -> list[dict[str, Any]]:
    """One tab per channel × language (× A/B variant). A variant's tab that is not saved yet
    starts from the campaign's message without a variant; with `copy_from` (a language), the
    tabs of the other language start from that language's saved message, to be edited."""
    labels = dict(Channel.choices)
    saved = {
        (message.channel, message.locale, message.variant): message
        for message in Message.objects.filter(campaign=campaign, step=0)
    }
    tabs = []
    for channel in campaign.channels:
        for locale in Locale.values:
            for variant in campaign_variant_keys(campaign):
                message = saved.get((channel, locale, variant))
                source = message or saved.get((channel, locale, ""))
                copied = False
                if copy_from in Locale.values and copy_from != locale:
                    original = saved.get((channel, copy_from, variant)) or saved.get(
                        (channel, copy_from, "")
                    )
                    if original is not None:
                        source, copied = original, True
                values = dict(source.fields) if source else {}
                if copied:  # an approved WhatsApp template is per language: pick it again
                    values.pop("content_sid", None)
                if "variables" in values:
                    values["variables"] = variables_format(values["variables"])
                key = f"{channel}-{locale}" + (f"-{variant}" if variant else "")
                label = f"{labels.get(channel, channel)} · {locale}"
                tabs.append(
                    {
                        "key": key,
                        "channel": channel,
                        "locale": locale,
                        "variant": variant,
                        "label": f"{label} · {variant}" if variant else label,
                        "saved": message is not None,
                        "copied": copied,
                        # The other language, when it has a message to start from.
                        "copy_source": next(
                            (
                                other
                                for other in Locale.values
                                if other != locale
                                and (
                                    (channel, other, variant) in saved
                                    or (channel, other, "") in saved
                                )
                            ),
                            "",
                        ),
                        "fields": [
                            {
                                "name": name,
                                "label": label,
                                "multiline": multiline,
                                "value": values.get(name, ""),
                            }
                            for name, label, multiline in message_form_fields(channel)
                        ],
                        # WhatsApp: approved templates in this language to pick from.
                        "picker": picker_context(
                            locale=locale, query="", selected=str(values.get("content_sid") or "")
                        )
                        if channel == "whatsapp"
                        else None,
                    }
                )
    return tabs


def _messages_context(campaign: Campaign, request: HttpRequest) -> dict[str, Any]:
    tabs = _tabs(campaign, copy_from=request.GET.get("copy_from", ""))
    variant = request.POST.get("variant", "")
    posted = (
        f"{request.POST['channel']}-{request.POST.get('locale', '')}"
        + (f"-{variant}" if variant else "")
        if "channel" in request.POST
        else ""
    )
    keys = [tab["key"] for tab in tabs]
    active = posted or request.GET.get("tab") or ""
    if active not in keys:
        active = keys[0] if keys else ""
    return {
        "tabs": tabs,
        "active": active,
        "hints": variable_hints(),
        "experiment_form": ExperimentForm(initial=ExperimentForm.initial_for(campaign)),
    }


@permission_needed(CHANGE)
def campaign_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """One form per channel × language (× A/B variant) tab; saving refuses a bad template
    (400, inline)."""
    campaign = campaign_or_404(pk)
    context = _messages_context(campaign, request)
    tabs = context["tabs"]
    if request.method != "POST":
        return _wizard(request, "wizard_messages.html", campaign, "messages", context)
    channel, locale = request.POST.get("channel", ""), request.POST.get("locale", "")
    variant = request.POST.get("variant", "")
    if (
        channel not in campaign.channels
        or locale not in Locale.values
        or variant not in campaign_variant_keys(campaign)
    ):
        return HttpResponse(status=400)
    fields = message_fields_parse(channel=channel, data=request.POST)
    try:
        services.campaign_message_set(
            campaign=campaign, channel=channel, locale=locale, fields=fields, variant=variant
        )
    except MessageInvalid as error:
        for tab in tabs:  # show what was typed, with the errors next to it
            if tab["key"] == context["active"]:
                for item in tab["fields"]:
                    item["value"] = request.POST.get(item["name"], "")
        context["errors"] = error.errors
        return _wizard(request, "wizard_messages.html", campaign, "messages", context, 400)
    except AltavozError as error:
        context["error"] = str(error)
        return _wizard(request, "wizard_messages.html", campaign, "messages", context, 400)
    messages.success(request, _("Message saved."))
    return redirect(f"{reverse('campaign-messages', args=[pk])}?tab={context['active']}")


@require_POST
@permission_needed(CHANGE)
def campaign_experiment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The messages step's A/B test and holdout box: the API's sending policies service."""
    campaign = campaign_or_404(pk)
    form = ExperimentForm(request.POST)
    context = _messages_context(campaign, request)
    context["experiment_form"] = form
    if not form.is_valid():
        return _wizard(request, "wizard_messages.html", campaign, "messages", context, 400)
    try:
        services.campaign_policies_set(campaign=campaign, actor=request.user, **form.policy())
    except AltavozError as error:
        context["experiment_error"] = str(error)
        return _wizard(request, "wizard_messages.html", campaign, "messages", context, 400)
    messages.success(request, _("A/B test and holdout saved."))
    return redirect("campaign-messages", pk=pk)


@require_POST
@permission_needed(CHANGE)
def campaign_message_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the message as typed, rendered for a sample creator of the segment, or for the
    creator whose handle is typed in the preview's search box."""
    campaign = campaign_or_404(pk)
    channel, locale = request.POST.get("channel", ""), request.POST.get("locale", "")
    if channel not in Channel.values or locale not in Locale.values:
        return HttpResponse(status=400)
    fields = message_fields_parse(channel=channel, data=request.POST)
    handle = request.POST.get("preview_handle", "")
    creator = selectors.preview_creator_get(handle=handle) if handle.strip() else None
    preview = message_preview(
        campaign=campaign, channel=channel, locale=locale, fields=fields, creator=creator
    )
    return render(
        request,
        "campaigns/_preview.html",
        {"preview": preview, "handle_unknown": bool(handle.strip()) and creator is None},
    )


@require_GET
@permission_needed(CHANGE)
def campaign_preview_creators(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: handles matching what is typed in the preview's creator search (a datalist)."""
    campaign = campaign_or_404(pk)
    handles = selectors.preview_creator_handles(
        campaign=campaign, query=request.GET.get("preview_handle", "")[:100]
    )
    return render(request, "campaigns/_preview_creators.html", {"handles": handles})


@permission_needed(CHANGE)
def campaign_schedule_step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    plan = campaign.schedule_plan or {"mode": "now"}
    initial: dict[str, Any] = {"mode": plan.get("mode", "now")}
    if plan.get("crontab"):
        initial.update(ScheduleForm.recurring_initial(plan["crontab"]))
    if campaign.trigger:
        repeat = campaign.trigger.get("repeat", "once")
        initial.update(
            mode="event",
            trigger_event=campaign.trigger.get("event", ""),
            trigger_where=json.dumps(campaign.trigger["where"])
            if campaign.trigger.get("where")
            else "",
            trigger_repeat="every" if isinstance(repeat, dict) else repeat,
            trigger_every_days=repeat.get("every_days") if isinstance(repeat, dict) else None,
        )
    initial.update(
        quiet_hours_start=campaign.quiet_hours_start,
        quiet_hours_end=campaign.quiet_hours_end,
        send_local_time=campaign.send_local_time,
        spread_hours=(campaign.spread_seconds / 3600) if campaign.spread_seconds else None,
        busy_firing=campaign.busy_firing,
    )
    form = ScheduleForm(request.POST or None, initial=initial)

    def save(
        *,
        campaign: Campaign,
        mode: str,
        send_at: Any = None,
        crontab: Any = None,
        trigger: Any = None,
        quiet_hours_start: Any = None,
        quiet_hours_end: Any = None,
        send_local_time: Any = None,
        spread_hours: Any = None,
        busy_firing: str = "",
        **_ignored: Any,
    ) -> Campaign:
        with transaction.atomic():
            services.campaign_policies_set(
                campaign=campaign,
                actor=request.user,
                quiet_hours_start=quiet_hours_start,
                quiet_hours_end=quiet_hours_end,
                send_local_time=send_local_time,
                spread_seconds=int((spread_hours or 0) * 3600),
                busy_firing=busy_firing or Campaign.BusyFiring.SKIP,
            )
            return drafting.campaign_schedule_plan_set(
                campaign=campaign, mode=mode, send_at=send_at, crontab=crontab, trigger=trigger
            )

    return _edit(
        request,
        campaign,
        "wizard_schedule.html",
        "schedule",
        form,
        save,
        reverse("campaign-review", args=[pk]),
        {"time_zone": services.campaign_timezone()},
    )


def _review_context(
    request: AuthenticatedHttpRequest, campaign: Campaign, previews: bool = True
) -> dict[str, Any]:
    rendered = []
    messages_shown = Message.objects.filter(
        campaign=campaign, step=0, channel__in=campaign.channels
    ).order_by("channel", "locale", "variant")
    if campaign.variant_weights:  # with an A/B test, the messages without a variant are unused
        messages_shown = messages_shown.filter(variant__in=list(campaign.variant_weights))
    for message in messages_shown if previews else []:
        preview = message_preview(
            campaign=campaign, channel=message.channel, locale=message.locale, fields=message.fields
        )
        preview.variant = message.variant
        rendered.append(preview)
    problem = ""
    try:
        campaign_launchable_check(campaign=campaign)
    except CampaignIncomplete as error:
        problem = str(error)
    user = request.user
    approval = approvals.approval_required()
    return {
        "previews": rendered,
        **_counts_lazy(campaign, window=True),
        "channel_labels": dict(Channel.choices),
        "window_mode": (
            campaign_window_mode(campaign_id=campaign.pk)
            if Channel.WHATSAPP in campaign.channels
            else ""
        ),
        "problem": problem,
        "approval_required": approval,
        "can_launch": user.has_perm(LAUNCH)
        and (not approval or user.has_perm(APPROVE) or campaign.approval_status == "approved"),
        "can_submit": approval and not user.has_perm(APPROVE) and user.has_perm(CHANGE),
        "can_approve": user.has_perm(APPROVE) and campaign.approval_status == "pending",
        "test_form": TestSendForm(initial={"locale": campaign.default_locale}),
        "sequence_step_count": len(sequences.steps_live(campaign=campaign)),
        "reject_form": RejectForm(),
        "time_zone": services.campaign_timezone(),
        "planned_at": parse_datetime((campaign.schedule_plan or {}).get("send_at") or ""),
        "schedule_text": (
            crontab_describe((campaign.schedule_plan or {})["crontab"])
            if (campaign.schedule_plan or {}).get("crontab")
            else ""
        ),
    }


@require_GET
@permission_needed(VIEW)
def campaign_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    return _wizard(
        request, "wizard_review.html", campaign, "review", _review_context(request, campaign)
    )


@require_POST
@permission_needed(CHANGE)
def campaign_test_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    form = TestSendForm(request.POST)
    context = _review_context(request, campaign)
    context["test_form"] = form
    if not form.is_valid():
        return _wizard(request, "wizard_review.html", campaign, "review", context, 400)
    try:
        context["test_results"] = testsend.campaign_test_send(
            campaign=campaign, actor=request.user, **form.cleaned_data
        )
    except AltavozError as error:
        context["error"] = str(error)
        return _wizard(request, "wizard_review.html", campaign, "review", context, 400)
    return _wizard(request, "wizard_review.html", campaign, "review", context)


def _review_error(
    request: AuthenticatedHttpRequest, campaign: Campaign, error: Exception, status: int
) -> HttpResponse:
    context = _review_context(request, campaign)
    context["error"] = str(error)
    return _wizard(request, "wizard_review.html", campaign, "review", context, status)


@require_http_methods(["GET", "POST"])
@permission_needed(LAUNCH)
def campaign_launch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation, with what a launch would send per channel. POST: start as
    planned: now, at the planned time, or on the crontab."""
    campaign = campaign_or_404(pk)
    if request.method == "GET":
        context = _review_context(request, campaign, previews=False)
        # Counted by htmx after the page draws: seconds over a million-creator segment.
        context["launch_counts_url"] = (
            reverse("campaign-launch-counts", args=[pk]) if campaign.segment_id else ""
        )
        return _wizard(request, "wizard_launch.html", campaign, "review", context)
    try:
        drafting.campaign_start(campaign=campaign, actor=request.user)
    except CampaignNotApproved as error:
        return _review_error(request, campaign, error, 403)
    except AltavozError as error:
        return _review_error(request, campaign, error, 400)
    messages.success(request, _("Campaign started."))
    return redirect(campaign)


@require_GET
@permission_needed(LAUNCH)
def campaign_launch_counts_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the launch confirmation's counts per channel (`campaign_launch_counts`), counted
    now; the page loads them after drawing itself."""
    campaign = campaign_or_404(pk)
    return render(
        request,
        "campaigns/_launch_counts.html",
        {
            "campaign": campaign,
            "launch_counts": campaign_launch_counts(campaign=campaign),
            "has_test_phase": campaign_has_test_phase(campaign),
            "frequency_cap": campaign_frequency_cap(campaign),
            "channel_labels": dict(Channel.choices),
        },
    )


@require_POST
@permission_needed(CHANGE)
def campaign_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    try:
        approvals.campaign_submit(campaign=campaign, actor=request.user)
    except AltavozError as error:
        return _review_error(request, campaign, error, 400)
    messages.success(request, _("Submitted for approval."))
    return redirect(campaign)


# --- Approvals ----------------------------------------------------------------------------------


@require_GET
@permission_needed(APPROVE)
def approval_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "campaigns/approvals.html",
        {
            "campaigns": selectors.campaigns_awaiting_approval(),
            "required": settings.REQUIRE_APPROVAL,
        },
    )


@require_POST
@permission_needed(APPROVE)
def campaign_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    try:
        drafting.campaign_approve(campaign=campaign, actor=request.user)
    except AltavozError as error:
        return _review_error(request, campaign, error, 400)
    messages.success(request, _("Campaign approved and started."))
    return redirect(campaign)


@require_POST
@permission_needed(APPROVE)
def campaign_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _review_error(request, campaign, ValueError(_("Say why it is rejected.")), 400)
    try:
        approvals.campaign_reject(campaign=campaign, actor=request.user, **form.cleaned_data)
    except AltavozError as error:
        return _review_error(request, campaign, error, 400)
    messages.success(request, _("Campaign sent back to its editor."))
    return redirect("campaign-approvals")


# --- Campaign page ------------------------------------------------------------------------------


@require_GET
@permission_needed(VIEW)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    progress = selectors.campaign_progress(campaign=campaign)
    filters, page = _deliveries_page(request, campaign, progress=progress)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "transitions": campaign.transitions.select_related("actor"),
            "firings": selectors.campaign_firings_get(campaign=campaign),
            "filters": filters,
            "page": page,
            "live": campaign.status in LIVE_STATUSES,
            "sections": page_sections_render(page="campaign", request=request, subject=campaign),
            "channel_labels": dict(Channel.choices),
            # Loaded by htmx from campaign-sequence-flow: seconds at a million deliveries.
            "sequence_flow_lazy": campaign.sequence_steps.exists(),
            **(_trigger_context(campaign) if campaign.trigger else {}),
        },
    )


# While the run moves, the deliveries rows poll (the progress box too, scheduled included).
LIVE_STATUSES = (Campaign.Status.SENDING, Campaign.Status.PAUSED)


def _deliveries_page(
    request: HttpRequest, campaign: Campaign, *, progress: selectors.RunProgress | None = None
) -> tuple[DeliveryFilterForm, Any]:
    """The filters and the page of deliveries; with the run's `progress` (the campaign page
    has it) the paginator takes its count from it when it can, instead of a COUNT(*)."""
    filters = DeliveryFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    active = {key: value for key, value in criteria.items() if value}
    deliveries = selectors.campaign_deliveries_get(campaign=campaign, **active)
    known = (
        selectors.campaign_deliveries_count_known(campaign=campaign, progress=progress, **active)
        if progress is not None
        else None
    )
    return filters, KnownCountPaginator(deliveries, 50, count=known).get_page(
        request.GET.get("page")
    )


@require_GET
@permission_needed(VIEW)
def campaign_deliveries(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx, every 3 s while sending or paused: the deliveries rows for the page's filters
    and page number, so the table follows the run."""
    campaign = campaign_or_404(pk)
    _filters, page = _deliveries_page(request, campaign)
    return render(
        request,
        "campaigns/_deliveries_rows.html",
        {"campaign": campaign, "page": page, "live": campaign.status in LIVE_STATUSES},
    )


def _trigger_context(campaign: Campaign) -> dict[str, Any]:
    """The campaign page's trigger card: the rule, and matched events by outcome."""
    outcomes = selectors.trigger_outcome_counts(campaign=campaign)
    repeat = campaign.trigger.get("repeat", "once")
    return {
        "trigger_outcomes": outcomes,
        "trigger_rows": [
            (value, label, outcomes.get(value, 0)) for value, label in TriggerMatch.Outcome.choices
        ],
        "trigger_where": json.dumps(campaign.trigger.get("where"), ensure_ascii=False),
        "trigger_repeat": (
            _("at most once every %(days)d days per creator") % {"days": repeat["every_days"]}
            if isinstance(repeat, dict)
            else _("every time")
            if repeat == "always"
            else _("once per creator")
        ),
    }


@require_GET
@permission_needed(VIEW)
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx, every 2 s while sending or paused: the current run's counts per delivery status.
    When the status differs from the one the page was drawn with (`seen`), the answer tells
    htmx to refresh the page, so its status, buttons, rates and deliveries settle too."""
    campaign = campaign_or_404(pk)
    response = render(
        request,
        "campaigns/_progress.html",
        {"campaign": campaign, "progress": selectors.campaign_progress(campaign=campaign)},
    )
    seen = request.GET.get("seen", "")
    if seen and seen != campaign.status:
        response["HX-Refresh"] = "true"
    return response


def _lifecycle(service: Callable[..., Campaign], done: Any) -> Callable:
    @require_POST
    @permission_needed(LAUNCH)
    def view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        campaign = campaign_or_404(pk)
        try:
            service(campaign=campaign, actor=request.user)
        except AltavozError as error:
            messages.error(request, str(error))
            return redirect(campaign)
        messages.success(request, done)
        return redirect(campaign)

    return view


campaign_pause = _lifecycle(
    services.campaign_pause,
    gettext_lazy(
        "Campaign paused. No new batch starts; batches already handed to the providers "
        "finish sending."
    ),
)
campaign_resume = _lifecycle(services.campaign_resume, gettext_lazy("Campaign resumed."))
campaign_cancel = _lifecycle(services.campaign_cancel, gettext_lazy("Campaign cancelled."))


@require_POST
@permission_needed(LAUNCH)
def campaign_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    form = ResendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the deliveries to re-send."))
        return redirect(campaign)
    try:
        count = resend.deliveries_resend(
            campaign=campaign,
            delivery_ids=form.cleaned_data["delivery"],
            include_unknown=form.cleaned_data["include_unknown"],
            actor=request.user,
        )
    except AltavozError as error:
        messages.error(request, str(error))
        return redirect(campaign)
    messages.success(request, _("%(count)d deliveries will be sent again.") % {"count": count})
    return redirect(campaign)


def creator_messages_section(request: HttpRequest, creator: Creator) -> str:
    """The creator page's "Messages" section: every delivery to the creator, newest first,
    25 a page (a section of the creator page, registered in CampaignsConfig)."""
    page = Paginator(selectors.creator_deliveries_get(creator=creator), 25).get_page(
        request.GET.get("page")
    )
    return render_to_string(
        "campaigns/_creator_messages.html", {"page": page, "creator": creator}, request=request
    )
