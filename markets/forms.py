from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from markets.exceptions import StepsInvalid
from markets.models import AdaptedCampaign, Market, Playbook, Proposal
from markets.steps import steps_format, steps_parse

RATE_LIMITS = {
    "open_rate": (Decimal(0), Decimal(100)),
    "click_rate": (Decimal(0), Decimal(100)),
    "completion_rate": (Decimal(0), Decimal(100)),
    "uplift": (Decimal(-1000), Decimal(1000)),
}


class PlaybookForm(forms.ModelForm):
    """One playbook, typed in or read from a CSV row (the CSV columns are these fields)."""

    market = forms.ModelChoiceField(label=_("Market"), queryset=Market.objects.all())
    steps = forms.CharField(
        label=_("Channel sequence"),
        help_text=_(
            "channel@day:purpose, separated by “;”, e.g. "
            "whatsapp@0:announce;push@3:remind;email@6:recap"
        ),
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    class Meta:
        model = Playbook
        fields = [
            "market",
            "title",
            "kind",
            "steps",
            "cadence",
            "content_formats",
            "incentive",
            "audience",
            "open_rate",
            "click_rate",
            "completion_rate",
            "uplift",
            "results_source",
            "results_date",
            "notes",
            "tags",
            "applicability",
        ]
        widgets = {
            "incentive": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "results_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["steps"] = steps_format(self.instance.steps)
            self.initial["tags"] = ", ".join(self.instance.tags)

    def clean_steps(self) -> list[dict[str, Any]]:
        try:
            return steps_parse(self.cleaned_data["steps"])
        except StepsInvalid as error:
            raise forms.ValidationError(str(error)) from error

    def clean_tags(self) -> list[str]:
        tags = [tag.strip().lower() for tag in self.cleaned_data["tags"].split(",")]
        return list(dict.fromkeys(tag for tag in tags if tag))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name, (low, high) in RATE_LIMITS.items():
            value = cleaned.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(
                    name,
                    _("Give a percentage between %(low)s and %(high)s.")
                    % {"low": low, "high": high},
                )
        return cleaned


class PlaybookImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class PlaybookFilterForm(forms.Form):
    market = forms.ModelChoiceField(
        label=_("Market"),
        queryset=Market.objects.all(),
        required=False,
        empty_label=_("All markets"),
        to_field_name="code",
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("All kinds")), *Campaign.Kind.choices]


class CompareForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    playbook_market = forms.ModelChoiceField(
        label=_("Playbooks from"),
        queryset=Market.objects.exclude(code="MX"),
        required=False,
        empty_label=_("All other markets"),
        to_field_name="code",
    )
    days = forms.IntegerField(
        label=_("Recent = last days"), min_value=1, max_value=3650, required=False, initial=90
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("All kinds")), *Campaign.Kind.choices]


class ProposalForm(forms.ModelForm):
    evidence_playbooks = forms.ModelMultipleChoiceField(
        label=_("Playbooks as evidence"),
        required=False,
        queryset=Playbook.objects.select_related("market").order_by("market_id", "title"),
        widget=forms.CheckboxSelectMultiple,
    )
    evidence_campaigns = forms.ModelMultipleChoiceField(
        label=_("Our campaigns as evidence"),
        required=False,
        queryset=Campaign.objects.exclude(status=Campaign.Status.DRAFT).order_by("-created_at"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Proposal
        fields = [
            "title",
            "problem",
            "evidence_playbooks",
            "evidence_campaigns",
            "evidence_notes",
            "proposed_change",
            "expected_effect",
            "measurement",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "problem",
                "evidence_notes",
                "proposed_change",
                "expected_effect",
                "measurement",
            )
        }


class ProposalDecisionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Proposal.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ProposalOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Measured outcome"), widget=forms.Textarea(attrs={"rows": 3}))


class MeasurementPlanForm(forms.ModelForm):
    """An adapted campaign's measurement plan, before launch (docs/outcomes.md)."""

    minimum_detectable_effect = forms.DecimalField(
        label=_("Minimum detectable effect (per creator)"),
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    planned_holdout_percent = forms.DecimalField(
        label=_("Holdout (%)"), min_value=Decimal(1), max_value=Decimal(50), decimal_places=2
    )

    class Meta:
        model = AdaptedCampaign
        fields = [
            "hypothesis",
            "outcome_metric",
            "minimum_detectable_effect",
            "planned_holdout_percent",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hypothesis"].required = True
