"""The sequence builder (`/campaigns/<pk>/sequence/`): list, reorder and remove follow-up steps,
set the exit rule, and see how many creators each step would reach today; the step page
(`/campaigns/<pk>/sequence/steps/new/`, `…/steps/<step_id>/edit/`) writes one step with its
messages per language, a live preview and the template checks of the wizard."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import sequences
from campaigns.exceptions import AltavozError, StepMessagesInvalid
from campaigns.forms import message_fields_parse, message_form_fields
from campaigns.models import Campaign, Message, SequenceStep, SequenceStepRun
from campaigns.preview import message_preview, variable_hints
from campaigns.views import CHANGE, VIEW, campaign_or_404, permission_needed
from creators.models import Channel, Locale
from segments.exceptions import SegmentRulesInvalid


class SequenceStepForm(forms.Form):
    """A step's settings; its messages are fields named `<locale>-<field>` (`step_messages`)."""

    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    condition = forms.ChoiceField(
        label=gettext_lazy("Send to"), choices=SequenceStep.Condition.choices
    )
    wait_days = forms.IntegerField(
        label=gettext_lazy("Wait: days"), min_value=0, max_value=365, initial=3
    )
    wait_hours = forms.IntegerField(
        label=gettext_lazy("and hours"), min_value=0, max_value=23, initial=0
    )
    local_time = forms.TimeField(
        label=gettext_lazy("At local time (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    rules = forms.CharField(
        label=gettext_lazy("Segment rule (JSON, for “Matches a segment rule”)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_rules(self) -> dict:
        value = self.cleaned_data["rules"].strip()
        if not value:
            return {}
        try:
            rules = json.loads(value)
        except ValueError as error:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s") % {"error": error}
            ) from error
        if not isinstance(rules, dict):
            raise forms.ValidationError(_("A segment rule is a JSON object."))
        return rules

    @property
    def wait_minutes(self) -> int:
        return (self.cleaned_data["wait_days"] * 24 + self.cleaned_data["wait_hours"]) * 60


def _locale_data(data: Any, locale: str) -> dict[str, str]:
    """The POSTed fields of one language, without their `<locale>-` prefix."""
    prefix = f"{locale}-"
    return {key[len(prefix) :]: data.get(key) for key in data if key.startswith(prefix)}


def step_messages(*, campaign: Campaign, channel: str, data: Any) -> list[dict]:
    """One {"locale": …, **fields} per language written (the default language's always)."""
    written = []
    for locale in Locale.values:
        fields = message_fields_parse(channel=channel, data=_locale_data(data, locale))
        if fields or locale == campaign.default_locale:
            written.append({"locale": locale, **fields})
    return written


def _channel_of(data: Any, fallback: str) -> str:
    channel = str(data.get("channel") or "")
    return channel if channel in Channel.values else fallback


def _editors(
    *, campaign: Campaign, channel: str, values: dict[str, dict], problems: dict[str, list]
) -> list[dict[str, Any]]:
    """Per language: its fields (named `<locale>-<name>`, id `step-<locale>-<name>`) with the
    values shown and the template errors under each."""
    languages = dict(Locale.choices)
    editors = []
    for locale in Locale.values:
        # What to show: "Line N: cause" for a template error, the message otherwise.
        errors = [
            {**error, "text": error.get("cause") or error.get("message") or ""}
            for error in problems.get(locale, [])
        ]
        shown = values.get(locale, {})
        fields = []
        for name, label, multiline in message_form_fields(channel):
            value = shown.get(name, "")
            if isinstance(value, dict):
                value = "\n".join(f"{key}={item}" for key, item in value.items())
            fields.append(
                {
                    "name": f"{locale}-{name}",
                    "id": f"step-{locale}-{name}",
                    "label": label,
                    "multiline": multiline,
                    "code": name == "html",
                    "value": value,
                    "errors": [
                        error
                        for error in errors
                        if str(error.get("field", "")).split(".")[0] == name
                    ],
                }
            )
        known = {field["name"].split("-", 2)[-1] for field in fields}
        editors.append(
            {
                "locale": locale,
                "label": languages[locale],
                "default": locale == campaign.default_locale,
                "fields": fields,
                "other_errors": [
                    error
                    for error in errors
                    if str(error.get("field", "")).split(".")[0] not in known
                ],
            }
        )
    return editors


def _step_page(
    request: HttpRequest,
    *,
    campaign: Campaign,
    form: SequenceStepForm,
    channel: str,
    values: dict[str, dict],
    step: SequenceStep | None = None,
    problems: dict[str, list] | None = None,
    error: str = "",
    read_only: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "campaign": campaign,
        "step": step,
        "form": form,
        "channel": channel,
        "editors": _editors(
            campaign=campaign, channel=channel, values=values, problems=problems or {}
        ),
        "hints": variable_hints(),
        "error": error,
        "read_only": read_only,
        "after_send": bool(campaign.last_run),
    }
    return render(request, "campaigns/sequence_step.html", context, status=status)


def _saved_values(step: SequenceStep) -> dict[str, dict]:
    return {
        message.locale: dict(message.fields)
        for message in Message.objects.filter(
            campaign=step.campaign, step=step.pk, channel=step.channel, variant=""
        )
    }


def _step_save(request: HttpRequest, campaign: Campaign, step: SequenceStep | None) -> HttpResponse:
    form = SequenceStepForm(request.POST)
    channel = _channel_of(request.POST, step.channel if step else Channel.EMAIL)
    values = {locale: _locale_data(request.POST, locale) for locale in Locale.values}

    def refused(problems: dict[str, list] | None = None, error: str = "") -> HttpResponse:
        return _step_page(
            request,
            campaign=campaign,
            form=form,
            channel=channel,
            values=values,
            step=step,
            problems=problems,
            error=error,
            status=400,
        )

    if not form.is_valid():
        return refused()
    data = form.cleaned_data
    try:
        sequences.sequence_step_save(
            campaign=campaign,
            step=step,
            channel=data["channel"],
            wait_minutes=form.wait_minutes,
            local_time=data["local_time"],
            condition=data["condition"],
            rules=data["rules"],
            messages=step_messages(campaign=campaign, channel=data["channel"], data=request.POST),
            actor=request.user if request.user.is_authenticated else None,
        )
    except SegmentRulesInvalid as error:
        form.add_error("rules", str(error))
        return refused()
    except StepMessagesInvalid as error:
        return refused(problems=error.problems)
    except AltavozError as error:
        return refused(error=str(error))
    messages.success(request, _("Step saved."))
    return redirect("campaign-sequence", pk=campaign.pk)


@permission_needed(CHANGE)
@require_http_methods(["GET", "POST"])
def campaign_sequence_step_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a follow-up step: before the launch, while sending, or after the send."""
    campaign = campaign_or_404(pk)
    if request.method == "POST" and request.POST.get("refresh"):
        return _typed_page(request, campaign, None)
    if request.method == "POST":
        return _step_save(request, campaign, None)
    channel = campaign.channels[0] if campaign.channels else Channel.EMAIL
    form = SequenceStepForm(
        initial={"channel": channel, "condition": SequenceStep.Condition.NOT_OPENED}
    )
    return _step_page(request, campaign=campaign, form=form, channel=channel, values={})


def _typed_page(
    request: HttpRequest, campaign: Campaign, step: SequenceStep | None
) -> HttpResponse:
    """The channel select re-asks the page (htmx POST with `refresh`): the form again, for the
    chosen channel, with what was typed so far; nothing is saved."""
    form = SequenceStepForm(initial=request.POST.dict())
    channel = _channel_of(request.POST, step.channel if step else Channel.EMAIL)
    values = {locale: _locale_data(request.POST, locale) for locale in Locale.values}
    return _step_page(
        request, campaign=campaign, form=form, channel=channel, values=values, step=step
    )


@permission_needed(VIEW)
@require_http_methods(["GET"])
def campaign_sequence_flow(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the campaign page's sequence card. Its one grouped query over the run's
    deliveries takes seconds at a million, so the page loads it after drawing itself."""
    campaign = campaign_or_404(pk)
    return render(
        request,
        "campaigns/_sequence_flow.html",
        {"campaign": campaign, "sequence_flow": sequences.sequence_flow_get(campaign=campaign)},
    )


@permission_needed(CHANGE)
@require_http_methods(["GET"])
def campaign_sequence_step_reach(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    """htmx: the "would reach today" cell of a live step (counted lazily, cached briefly)."""
    campaign = campaign_or_404(pk)
    step = get_object_or_404(SequenceStep, pk=step_id, campaign=campaign, removed=False)
    return render(
        request,
        "campaigns/_sequence_step_reach.html",
        {"would_reach": sequences.step_preview_count_cached(step=step)},
    )


@permission_needed(CHANGE)
@require_http_methods(["GET", "POST"])
def campaign_sequence_step_edit(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    """Change a step not yet executed; an executed one (being sent or sent) is shown read-only."""
    campaign = campaign_or_404(pk)
    step = get_object_or_404(SequenceStep, pk=step_id, campaign=campaign, removed=False)
    executed = SequenceStepRun.objects.filter(step=step).exists()
    if request.method == "POST" and not executed and request.POST.get("refresh"):
        return _typed_page(request, campaign, step)
    if request.method == "POST" and not executed:
        return _step_save(request, campaign, step)
    days, rest = divmod(step.wait_minutes, 24 * 60)
    initial = {
        "channel": step.channel,
        "condition": step.condition,
        "wait_days": days,
        "wait_hours": rest // 60,
        "local_time": step.local_time,
        "rules": json.dumps(step.rules) if step.rules else "",
    }
    return _step_page(
        request,
        campaign=campaign,
        form=SequenceStepForm(initial=initial),
        channel=step.channel,
        values=_saved_values(step),
        step=step,
        read_only=executed,
        error=_("This step has already been sent; add a new step instead.")
        if executed and request.method == "POST"
        else "",
        status=400 if executed and request.method == "POST" else 200,
    )


@permission_needed(CHANGE)
@require_POST
def campaign_sequence_step_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: one language's message of the step page as typed, rendered for a sample creator."""
    campaign = campaign_or_404(pk)
    channel, locale = request.POST.get("channel", ""), request.POST.get("preview_locale", "")
    if channel not in Channel.values or locale not in Locale.values:
        return HttpResponse(status=400)
    fields = message_fields_parse(channel=channel, data=_locale_data(request.POST, locale))
    if not fields and locale != campaign.default_locale:
        return render(request, "campaigns/_preview.html", {"preview": {"empty": True}})
    preview = message_preview(campaign=campaign, channel=channel, locale=locale, fields=fields)
    return render(request, "campaigns/_preview.html", {"preview": preview})


class SequenceExitForm(forms.Form):
    exit_rule = forms.MultipleChoiceField(
        label=gettext_lazy("A creator leaves the sequence when they have"),
        choices=list(SequenceStep.EXITS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _page(request: HttpRequest, campaign: Campaign, error: str = "") -> HttpResponse:
    """The whole page, or (htmx) the steps panel."""
    steps = sequences.steps_live(campaign=campaign)
    executed = set(
        campaign.sequence_steps.filter(runs__run=campaign.last_run).values_list("pk", flat=True)
    )
    upcoming = (
        sequences.step_next(campaign=campaign, run=campaign.last_run)
        if campaign.status == Campaign.Status.SENDING
        else None
    )
    now = timezone.now()
    rows = [
        {
            "step": step,
            "number": number,
            "executed": step.pk in executed,
            "would_reach": sequences.step_preview_count_if_cached(step=step),
            "due_at": upcoming.due_at
            if upcoming is not None and upcoming.step.pk == step.pk
            else None,
            "due_now": upcoming is not None
            and upcoming.step.pk == step.pk
            and upcoming.due_at <= now,
        }
        for number, step in enumerate(steps, start=1)
    ]
    context = {
        "campaign": campaign,
        "rows": rows,
        "exit_form": SequenceExitForm(initial={"exit_rule": campaign.sequence_exit}),
        "error": error,
        "can_add": campaign.status != Campaign.Status.CANCELLED,
    }
    if request.headers.get("HX-Target", "") == "steps":
        return render(request, "campaigns/_sequence_steps.html", context)
    return render(request, "campaigns/sequence.html", context)


@permission_needed(CHANGE)
@require_http_methods(["GET"])
def campaign_sequence(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, campaign_or_404(pk))


@permission_needed(CHANGE)
@require_POST
def campaign_sequence_step(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    """Move a step up or down, or remove it."""
    campaign = campaign_or_404(pk)
    step = get_object_or_404(SequenceStep, pk=step_id, campaign=campaign)
    action = request.POST.get("action")
    if action not in ("remove", "up", "down"):
        return HttpResponse(status=400)
    htmx_target = request.headers.get("HX-Target", "")
    try:
        if action == "remove":
            sequences.sequence_step_remove(step=step)
        else:
            sequences.sequence_step_move(step=step, offset=-1 if action == "up" else 1)
    except AltavozError as error:
        if htmx_target:
            return _page(request, campaign, error=str(error))
        messages.error(request, str(error))
    if htmx_target:
        return _page(request, campaign)
    return redirect("campaign-sequence", pk=campaign.pk)


@permission_needed(CHANGE)
@require_POST
def campaign_sequence_exit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    form = SequenceExitForm(request.POST)
    if form.is_valid():
        sequences.sequence_exit_set(campaign=campaign, exit_rule=form.cleaned_data["exit_rule"])
    return redirect("campaign-sequence", pk=campaign.pk)


__all__ = [
    "campaign_sequence",
    "campaign_sequence_exit",
    "campaign_sequence_step",
    "campaign_sequence_step_edit",
    "campaign_sequence_step_new",
    "campaign_sequence_step_preview",
]
