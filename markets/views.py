"""Ops pages for markets: playbooks (list, page, form, CSV import), the comparison, adapting a
playbook for Mexico, and proposals. Views parse, call one service or selector and respond."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.exceptions import AltavozError
from common.http import AuthenticatedHttpRequest
from common.inputs import digits_int
from markets import adapt, imports, proposals, selectors, services
from markets.compare import comparison_build
from markets.exceptions import ProposalOutcomeMissing
from markets.forms import (
    CompareForm,
    MeasurementPlanForm,
    PlaybookFilterForm,
    PlaybookForm,
    PlaybookImportForm,
    ProposalDecisionForm,
    ProposalForm,
    ProposalOutcomeForm,
)
from markets.models import Proposal

VIEW = "markets.view_playbook"
ADD = "markets.add_playbook"
CHANGE = "markets.change_playbook"
IMPORT = "markets.import_playbooks"


def _needs(*permissions: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        return login_required(permission_required(permissions, raise_exception=True)(view))

    return decorate


@require_GET
@_needs(VIEW)
def playbook_list(request: HttpRequest) -> HttpResponse:
    form = PlaybookFilterForm(request.GET or None)
    filters = {"market": "", "kind": "", "tag": ""}
    if form.is_valid():
        market = form.cleaned_data["market"]
        filters = {
            "market": market.code if market else "",
            "kind": form.cleaned_data["kind"],
            "tag": form.cleaned_data["tag"],
        }
    return render(
        request,
        "markets/playbook_list.html",
        {"form": form, "playbooks": selectors.playbook_list(**filters)},
    )


@require_GET
@_needs(VIEW)
def playbook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    playbook = selectors.playbook_get(pk=pk)
    return render(
        request,
        "markets/playbook_detail.html",
        {
            "playbook": playbook,
            "adaptations": selectors.playbook_adaptations(playbook=playbook),
        },
    )


def _playbook_form(request: AuthenticatedHttpRequest, playbook=None) -> HttpResponse:
    form = PlaybookForm(request.POST or None, instance=playbook)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PlaybookForm.Meta.fields}
        saved = services.playbook_save(playbook=playbook, actor=request.user, **fields)
        messages.success(request, _("Playbook saved."))
        return redirect(saved)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "markets/playbook_form.html", {"form": form, "playbook": playbook}, status=status
    )


@require_http_methods(["GET", "POST"])
@_needs(ADD)
def playbook_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _playbook_form(request)


@require_http_methods(["GET", "POST"])
@_needs(CHANGE)
def playbook_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _playbook_form(request, selectors.playbook_get(pk=pk))


@require_http_methods(["GET", "POST"])
@_needs(IMPORT)
def playbook_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PlaybookImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = imports.playbook_import_csv(
                    source=form.cleaned_data["file"], actor=request.user
                )
            except AltavozError as error:
                form.add_error("file", str(error))
        if result is None:
            status = 400
    context = {"form": form, "result": result, "imports": imports.playbook_imports_recent()}
    return render(request, "markets/playbook_import.html", context, status=status)


@require_GET
@_needs(IMPORT)
def playbook_import_sample(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="altavoz-playbooks-sample.csv"'
    imports.playbook_import_sample_write(response)
    return response


@require_GET
@_needs(VIEW, "campaigns.view_campaign")
def market_compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None)
    kind, playbook_market, days = "", "", 90
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        market = form.cleaned_data["playbook_market"]
        playbook_market = market.code if market else ""
        days = form.cleaned_data["days"] or days
    since = timezone.now() - timedelta(days=days)
    rows = comparison_build(since=since, kind=kind, playbook_market=playbook_market)
    return render(request, "markets/compare.html", {"form": form, "rows": rows, "days": days})


@require_POST
@_needs(VIEW, "campaigns.add_campaign")
def playbook_adapt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    playbook = selectors.playbook_get(pk=pk)
    try:
        adapted = adapt.playbook_adapt(playbook=playbook, actor=request.user)
    except AltavozError as error:
        messages.error(request, str(error))
        return redirect(playbook)
    messages.success(
        request, _("Draft campaign created from the playbook; work through its localisation tasks.")
    )
    return redirect(adapted.campaign)


@require_POST
@_needs(VIEW, "campaigns.change_campaign")
def adaptation_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record an adapted campaign's measurement plan (`pk`: the campaign's), before launch."""
    adapted = selectors.adapted_campaign_get(campaign_id=pk)
    form = MeasurementPlanForm(request.POST, instance=adapted)
    if not form.is_valid():
        for field, errors in form.errors.items():
            text = " ".join(str(error) for error in errors)
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {text}" if label else text)
        return redirect(adapted.campaign)
    try:
        adapt.adaptation_plan_record(adapted=adapted, actor=request.user, **form.cleaned_data)
    except AltavozError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Measurement plan recorded."))
    return redirect(adapted.campaign)


PROPOSAL_VIEW = "markets.view_proposal"
PROPOSAL_ADD = "markets.add_proposal"
PROPOSAL_CHANGE = "markets.change_proposal"
PROPOSAL_DECIDE = "markets.decide_proposal"


@require_GET
@_needs(PROPOSAL_VIEW)
def proposal_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "markets/proposal_list.html",
        {
            "proposals": selectors.proposal_list(status=request.GET.get("status", "")),
            "statuses": Proposal.Status.choices,
        },
    )


@require_GET
@_needs(PROPOSAL_VIEW)
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(pk=pk)
    return render(
        request,
        "markets/proposal_detail.html",
        {
            "proposal": proposal,
            "moves": proposals.proposal_next_states(proposal=proposal),
            "outcome_form": ProposalOutcomeForm(initial={"outcome": proposal.outcome}),
        },
    )


def _proposal_form(
    request: AuthenticatedHttpRequest, proposal: Proposal | None = None
) -> HttpResponse:
    initial = {}
    playbook_id = digits_int(request.GET.get("playbook", ""))
    if proposal is None and playbook_id is not None:
        initial["evidence_playbooks"] = [playbook_id]
    form = ProposalForm(request.POST or None, instance=proposal, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = proposals.proposal_save(
                proposal=proposal, actor=request.user, **form.cleaned_data
            )
        except AltavozError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Proposal saved."))
            return redirect(saved)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "markets/proposal_form.html", {"form": form, "proposal": proposal}, status=status
    )


@require_http_methods(["GET", "POST"])
@_needs(PROPOSAL_ADD)
def proposal_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _proposal_form(request)


@require_http_methods(["GET", "POST"])
@_needs(PROPOSAL_CHANGE)
def proposal_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _proposal_form(request, selectors.proposal_get(pk=pk))


@require_POST
@_needs(PROPOSAL_CHANGE)
def proposal_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(pk=pk)
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the proposal."))
        return redirect(proposal)
    to_status = form.cleaned_data["to_status"]
    if to_status in proposals.DECISIONS and not request.user.has_perm(PROPOSAL_DECIDE):
        raise PermissionDenied
    try:
        proposals.proposal_transition(
            proposal=proposal,
            to_status=to_status,
            actor=request.user,
            note=form.cleaned_data["note"],
        )
    except AltavozError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Proposal updated."))
    return redirect(proposal)


@require_POST
@_needs(PROPOSAL_DECIDE)
def proposal_outcome(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(pk=pk)
    form = ProposalOutcomeForm(request.POST)
    try:
        if not form.is_valid():
            raise ProposalOutcomeMissing()
        proposals.proposal_outcome_record(
            proposal=proposal, actor=request.user, outcome=form.cleaned_data["outcome"]
        )
    except AltavozError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Outcome recorded."))
    return redirect(proposal)
