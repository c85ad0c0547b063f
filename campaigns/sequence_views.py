"""The sequence builder (`/campaigns/<pk>/sequence/`): add, reorder and remove follow-up steps,
set the exit rule, and see how many creators each step would reach today."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import sequences
from campaigns.exceptions import AltavozError
from campaigns.models import Campaign, SequenceStep
from campaigns.views import CHANGE, campaign_or_404, permission_needed
from creators.models import Channel
from segments.exceptions import SegmentRulesInvalid


class SequenceStepForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    wait_hours = forms.IntegerField(
        label=gettext_lazy("Wait (hours after the previous step)"), min_value=0, initial=72
    )
    local_time = forms.TimeField(
        label=gettext_lazy("At local time (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    condition = forms.ChoiceField(
        label=gettext_lazy("Send to"), choices=SequenceStep.Condition.choices
    )
    rules = forms.CharField(
        label=gettext_lazy("Segment rule (JSON, for “Matches a segment rule”)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    title = forms.CharField(label=gettext_lazy("Title or subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_rules(self) -> dict:
        value = self.cleaned_data["rules"].strip()
        if not value:
            return {}
        try:
            return json.loads(value)
        except ValueError as error:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s") % {"error": error}
            ) from error

    def message_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        title, body = data["title"], data["body"]
        return {
            Channel.EMAIL: {"subject": title, "html": f"<p>{body}</p>", "text": body},
            Channel.WHATSAPP: {"body": body},
            Channel.PUSH: {"title": title, "body": body},
            Channel.INBOX: {"title": title, "body": body},
        }[data["channel"]]


class SequenceExitForm(forms.Form):
    exit_rule = forms.MultipleChoiceField(
        label=gettext_lazy("A creator leaves the sequence when they have"),
        choices=list(SequenceStep.EXITS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _page(
    request: HttpRequest,
    campaign: Campaign,
    form: SequenceStepForm,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    """The whole page, or (htmx) the steps panel; htmx only swaps 2xx answers, so a refused
    form comes back as 200 with its errors in the panel."""
    steps = sequences.steps_live(campaign=campaign)
    executed = set(
        campaign.sequence_steps.filter(runs__run=campaign.last_run).values_list("pk", flat=True)
    )
    rows = [
        {
            "step": step,
            "number": number,
            "executed": step.pk in executed,
            "would_reach": sequences.step_preview_count(step=step),
        }
        for number, step in enumerate(steps, start=1)
    ]
    exit_form = SequenceExitForm(initial={"exit_rule": campaign.sequence_exit})
    context = {
        "campaign": campaign,
        "rows": rows,
        "form": form,
        "exit_form": exit_form,
        "error": error,
    }
    if request.headers.get("HX-Target", "") == "steps":
        return render(request, "campaigns/_sequence_steps.html", context)
    return render(request, "campaigns/sequence.html", context, status=status)


@permission_needed(CHANGE)
@require_http_methods(["GET", "POST"])
def campaign_sequence(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    htmx_target = request.headers.get("HX-Target", "")
    form = SequenceStepForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, campaign, form, status=400)
        data = form.cleaned_data
        try:
            sequences.sequence_step_save(
                campaign=campaign,
                channel=data["channel"],
                wait_minutes=data["wait_hours"] * 60,
                local_time=data["local_time"],
                condition=data["condition"],
                rules=data["rules"],
                messages=[{"locale": campaign.default_locale, **form.message_fields()}],
            )
        except SegmentRulesInvalid as error:
            form.add_error("rules", str(error))
            return _page(request, campaign, form, status=400)
        except AltavozError as error:
            return _page(request, campaign, form, status=400, error=str(error))
        if htmx_target:
            return _page(request, campaign, SequenceStepForm())
        return redirect("campaign-sequence", pk=campaign.pk)
    return _page(request, campaign, form)


@permission_needed(CHANGE)
@require_POST
def campaign_sequence_step(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    """Move a step up or down, or remove it."""
    campaign = campaign_or_404(pk)
    step = get_object_or_404(SequenceStep, pk=step_id, campaign=campaign)
    action = request.POST.get("action")
    htmx_target = request.headers.get("HX-Target", "")
    try:
        if action == "remove":
            sequences.sequence_step_remove(step=step)
        elif action in ("up", "down"):
            sequences.sequence_step_move(step=step, offset=-1 if action == "up" else 1)
    except AltavozError as error:
        if htmx_target:
            return _page(request, campaign, SequenceStepForm(), error=str(error))
        messages.error(request, str(error))
    if htmx_target:
        return _page(request, campaign, SequenceStepForm())
    return redirect("campaign-sequence", pk=campaign.pk)


@permission_needed(CHANGE)
@require_POST
def campaign_sequence_exit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    form = SequenceExitForm(request.POST)
    if form.is_valid():
        sequences.sequence_exit_set(campaign=campaign, exit_rule=form.cleaned_data["exit_rule"])
    return redirect("campaign-sequence", pk=campaign.pk)


__all__ = ["campaign_sequence", "campaign_sequence_exit", "campaign_sequence_step"]
