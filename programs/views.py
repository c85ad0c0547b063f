"""Ops pages for programs: list, program page, leaderboard, checklist, calendar, post-mortem.

Views parse, call one service or selector and respond; permissions are checked per URL.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import Campaign
from common.csv import csv_writer
from common.exceptions import AltavozError
from common.http import AuthenticatedHttpRequest
from creators.models import Channel
from programs import (
    calendar,
    holdout_effect,
    metric_health,
    metric_import,
    readiness,
    selectors,
    services,
)
from programs.band_triggers import band_message_arm
from programs.forms import (
    BandMessageForm,
    CalendarForm,
    ManualItemForm,
    MetricImportForm,
    NotesForm,
    OverrideForm,
    ProgramForm,
    ProgramNewForm,
)
from programs.models import Band, ManualChecklistItem, Metric, Program

VIEW = "programs.view_program"
ADD = "programs.add_program"
CHANGE = "programs.change_program"
IMPORT = "programs.import_metrics"
OVERRIDE = "programs.override_readiness"
LAUNCH = "campaigns.launch_campaign"


def _needs(permission: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


@require_GET
@_needs(VIEW)
def program_list(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/program_list.html", {"programs": selectors.program_list()})


@require_http_methods(["GET", "POST"])
@_needs(ADD)
def program_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    chooser = ProgramNewForm(request.POST or request.GET or None)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and chooser.is_valid() and form.is_valid():
        try:
            program = services.program_save(
                campaign=chooser.cleaned_data["campaign"],
                actor=request.user,
                **form.service_fields(),
            )
        except AltavozError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Program saved."))
            return redirect(program)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "programs/program_form.html", {"chooser": chooser, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@_needs(CHANGE)
def program_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(pk=pk)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_save(
                campaign=program.campaign, actor=request.user, **form.service_fields()
            )
        except AltavozError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Program saved."))
            return redirect(program)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "programs/program_form.html", {"form": form, "program": program}, status=status
    )


def _detail_context(program: Program) -> dict:
    return {
        "program": program,
        "campaign": program.campaign,
        "bands": [
            (Band(band).label, band, count)
            for band, count in selectors.program_band_counts(program=program).items()
        ],
        "enrolments": program.enrolments.count(),
        "leaders": selectors.program_leaderboard(program=program, limit=10),
        "import_form": MetricImportForm(),
        "band_form": BandMessageForm(),
    }


@require_GET
@_needs(VIEW)
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(pk=pk)
    return render(request, "programs/program_detail.html", _detail_context(program))


@require_GET
@_needs(VIEW)
def program_leaderboard(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(pk=pk)
    return render(
        request,
        "programs/leaderboard.html",
        {"program": program, "rows": selectors.program_leaderboard(program=program, limit=200)},
    )


@require_POST
@_needs(CHANGE)
def program_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(pk=pk)
    try:
        count = services.program_enrol_eligible(program=program, actor=request.user)
    except AltavozError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)d creators enrolled.") % {"count": count})
    return redirect(program)


@require_POST
@_needs(IMPORT)
def program_metrics_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(pk=pk)
    form = MetricImportForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {**_detail_context(program), "import_form": form}
        return render(request, "programs/program_detail.html", context, status=400)
    result = _metrics_import(request, form)
    context = {**_detail_context(program), "import_result": result}
    return render(request, "programs/program_detail.html", context)


def _metrics_import(
    request: AuthenticatedHttpRequest, form: MetricImportForm
) -> metric_import.MetricImportResult:
    upload = form.cleaned_data["file"]
    return metric_import.creator_metrics_import_csv(
        file=upload, actor=request.user, filename=upload.name
    )


# --- Metric health --------------------------------------------------------------------------------


def _health(request: HttpRequest, **extra: object) -> HttpResponse:
    status = 400 if "import_form" in extra else 200
    return render(
        request,
        "programs/metric_health.html",
        {
            "health": metric_health.metric_health_get(),
            "gap_days": metric_health.GAP_DAYS,
            "imports": metric_health.metric_imports_recent(),
            "import_form": MetricImportForm(),
            **extra,
        },
        status=status,
    )


@require_GET
@_needs(VIEW)
def metric_health_page(request: HttpRequest) -> HttpResponse:
    """Per metric: the last import, its rows and rejects, and the days with no data."""
    return _health(request)


@require_POST
@_needs(IMPORT)
def metric_health_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MetricImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _health(request, import_form=form)
    return _health(request, import_result=_metrics_import(request, form))


@require_POST
@_needs(LAUNCH)
def program_band_message(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(pk=pk)
    form = BandMessageForm(request.POST)
    if not form.is_valid():
        context = {**_detail_context(program), "band_form": form}
        return render(request, "programs/program_detail.html", context, status=400)
    # "automatic": every creator who reaches the band from now on gets it (programs/band_triggers.py).
    automatic = bool(request.POST.get("automatic"))
    send = band_message_arm if automatic else services.band_message_send
    try:
        campaign = send(
            program=program,
            band=form.cleaned_data["band"],
            actor=request.user,
            messages=form.messages_for(locale=program.campaign.default_locale),
        )
    except AltavozError as error:
        messages.error(request, str(error))
        return redirect(program)
    messages.success(
        request,
        _("Band message armed: creators reaching the band get it.")
        if automatic
        else _("Band message started."),
    )
    return redirect(campaign)


# --- Program-wide holdout -------------------------------------------------------------------------


@require_GET
@_needs(VIEW)
def program_holdout(request: HttpRequest) -> HttpResponse:
    """The program's cumulative incremental effect per month against the program-wide
    holdout, for one metric (`?metric=`; an unknown one shows GMV)."""
    metric = request.GET.get("metric", "")
    if metric not in Metric.values:
        metric = Metric.GMV.value
    return render(
        request,
        "programs/holdout.html",
        {
            "effect": holdout_effect.program_holdout_effect_get(metric=metric),
            "metric": metric,
            "metrics": Metric.choices,
            "metric_label": Metric(metric).label,
            "percent": settings.PROGRAM_HOLDOUT_PERCENT,
            "min_holdout": holdout_effect.MIN_HOLDOUT,
        },
    )


# --- Readiness ------------------------------------------------------------------------------------


def _readiness(request: HttpRequest, campaign: Campaign, status: int = 200) -> HttpResponse:
    return render(
        request,
        "programs/_readiness.html",
        {
            "campaign": campaign,
            "checklist": readiness.campaign_checklist(campaign=campaign),
            "manual_items": campaign.manual_checklist_items.all(),
            "overrides": campaign.readiness_overrides.select_related("actor"),
            "override_form": OverrideForm(),
            "manual_form": ManualItemForm(),
        },
        status=status,
    )


@require_GET
@_needs("campaigns.view_campaign")
def campaign_readiness(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """htmx: the checklist of a campaign (links are fetched, so it loads after the page)."""
    campaign = get_object_or_404(Campaign.objects.select_related("segment"), pk=campaign_pk)
    return _readiness(request, campaign)


@require_POST
@_needs("campaigns.change_campaign")
def campaign_checklist_add(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    """htmx: add an item by hand; answers with the checklist."""
    campaign = get_object_or_404(Campaign.objects.select_related("segment"), pk=campaign_pk)
    form = ManualItemForm(request.POST)
    if not form.is_valid():
        return _readiness(request, campaign, status=400)
    readiness.manual_item_add(campaign=campaign, actor=request.user, **form.cleaned_data)
    return _readiness(request, campaign)


@require_POST
@_needs("campaigns.change_campaign")
def campaign_checklist_tick(
    request: AuthenticatedHttpRequest, campaign_pk: int, item_pk: int
) -> HttpResponse:
    """htmx: tick an item added by hand off (or on again); answers with the checklist."""
    item = get_object_or_404(ManualChecklistItem, pk=item_pk, campaign_id=campaign_pk)
    readiness.manual_item_set_done(
        item=item, done=request.POST.get("done") == "1", actor=request.user
    )
    return _readiness(request, item.campaign)


@require_POST
@_needs(OVERRIDE)
def campaign_readiness_override(
    request: AuthenticatedHttpRequest, campaign_pk: int
) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Write why the campaign should launch with failing checklist items.")
        )
        return redirect("campaign-review", campaign.pk)
    try:
        readiness.campaign_launch_overriding(
            campaign=campaign, reason=form.cleaned_data["reason"], actor=request.user
        )
    except AltavozError as error:
        messages.error(request, str(error))
        return redirect("campaign-review", campaign.pk)
    messages.success(request, _("Checklist overridden; campaign started."))
    return redirect(campaign)


# --- Calendar -------------------------------------------------------------------------------------


@require_GET
@_needs(VIEW)
def program_calendar(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.GET or None)
    values = form.values(timezone.localdate())
    built = calendar.calendar_build(**values)
    return render(
        request,
        "programs/calendar.html",
        {
            "form": form,
            "calendar": built,
            "values": values,
            "channel_labels": dict(Channel.choices),
        },
    )


# --- Post-mortem ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_needs(VIEW)
def program_postmortem(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(pk=pk)
    form = NotesForm(request.POST or None, initial={"notes": program.notes})
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            return HttpResponse(status=403)
        if form.is_valid():
            services.program_notes_set(
                program=program, notes=form.cleaned_data["notes"], actor=request.user
            )
            messages.success(request, _("Notes saved."))
            return redirect("program-postmortem", program.pk)
    return render(
        request,
        "programs/postmortem.html",
        {
            "program": program,
            "form": form,
            "summary": selectors.program_postmortem(program=program),
            "ended": program.ends_on < timezone.localdate(),
            "channel_labels": dict(Channel.choices),
        },
    )


@require_GET
@_needs(VIEW)
def program_postmortem_csv(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(pk=pk)
    summary = selectors.program_postmortem(program=program)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="program-{program.pk}-postmortem.csv"'
    writer = csv_writer(response)
    writer.writerow(["section", "name", "value"])
    writer.writerow(["program", "name", program.campaign.name])
    writer.writerow(["program", "period", f"{program.starts_on}..{program.ends_on}"])
    for name in ("reach", "enrolments", "completions"):
        writer.writerow(["totals", name, summary[name]])
    writer.writerow(["totals", "goal_attainment", f"{summary['attainment']:.4f}"])
    for band, count in summary["bands"].items():
        writer.writerow(["bands", band, count])
    for channel, figures in summary["channels"].items():
        writer.writerow(["channel", f"{channel}.sent", figures.sent])
        writer.writerow(["channel", f"{channel}.open_rate", f"{figures.open_rate:.4f}"])
        writer.writerow(["channel", f"{channel}.click_rate", f"{figures.click_rate:.4f}"])
    writer.writerow(["notes", "notes", program.notes])
    return response


# --- Creators: the tracked enrolment link -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def program_join(request: HttpRequest, token: str) -> HttpResponse:
    """Public: GET shows the program, POST enrols (a link scanner's GET enrols nobody)."""
    from creators.models import Creator
    from programs.enrol_links import enrol_token_read
    from programs.models import Enrolment

    try:
        program_id, creator_id = enrol_token_read(token)
    except AltavozError:
        return render(request, "programs/join.html", {"invalid": True}, status=404)
    program = get_object_or_404(Program.objects.select_related("campaign"), pk=program_id)
    creator = get_object_or_404(Creator, pk=creator_id)
    joined = False
    if request.method == "POST":
        services.enrolment_create(program=program, creator=creator, source=Enrolment.Source.LINK)
        if program.landing_url:
            return redirect(program.landing_url)
        joined = True
    return render(
        request, "programs/join.html", {"program": program, "creator": creator, "joined": joined}
    )
