from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from creators.models import Channel, Locale
from programs.models import Band, Metric, Program


def _lines(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace(",", "\n").splitlines() if part.strip()]


class ProgramForm(forms.ModelForm):
    blackout = forms.CharField(
        label=_("Blackout dates"),
        required=False,
        help_text=_("YYYY-MM-DD, one per line or separated by commas."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    prize_lines = forms.CharField(
        label=_("Prizes by rank"),
        required=False,
        help_text=_("One per line: rank: prize (e.g. “1: iPhone”)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rules_url = forms.URLField(label=_("Rules page"), required=False, assume_scheme="https")
    faq_url = forms.URLField(label=_("FAQ page"), required=False, assume_scheme="https")
    landing_url = forms.URLField(label=_("Landing page"), required=False, assume_scheme="https")
    locale_list = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Locale.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Program
        fields = [
            "starts_on",
            "ends_on",
            "metric",
            "threshold",
            "reward",
            "rules_text",
            "goals_text",
            "rules_url",
            "faq_url",
            "landing_url",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "rules_text": forms.Textarea(attrs={"rows": 3}),
            "goals_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = self.instance
        if program.pk:
            self.initial.setdefault("blackout", "\n".join(program.blackout_dates or []))
            self.initial.setdefault(
                "prize_lines",
                "\n".join(
                    f"{item.get('rank')}: {item.get('prize')}" for item in program.prizes or []
                ),
            )
            self.initial.setdefault("locale_list", program.locales)

    def clean_prize_lines(self) -> list[dict[str, Any]]:
        prizes = []
        for line in (self.cleaned_data.get("prize_lines") or "").splitlines():
            if not line.strip():
                continue
            rank, _sep, prize = line.partition(":")
            if not rank.strip().isdigit() or not prize.strip():
                raise forms.ValidationError(_("Write each prize as “rank: prize”."))
            prizes.append({"rank": int(rank), "prize": prize.strip()})
        return prizes

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            **{
                name: data[name]
                for name in self.Meta.fields
                if name not in ("starts_on", "ends_on")
            },
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "blackout_dates": _lines(data.get("blackout") or ""),
            "prizes": data.get("prize_lines") or [],
            "locales": data.get("locale_list") or [],
            "metric": data.get("metric") or "",
        }


class ProgramNewForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.filter(kind__in=Program.KINDS, program__isnull=True),
    )


class MetricImportForm(forms.Form):
    file = forms.FileField(
        label=_("Metrics CSV"),
        help_text=_(
            "Columns handle, date, metric, value — or handle, date and one column per metric "
            "(gmv, videos_posted, live_hours, products_showcased). UTF-8 or Excel's Windows "
            "encoding; commas, semicolons or tabs."
        ),
    )


class BandMessageForm(forms.Form):
    band = forms.ChoiceField(label=_("Band"), choices=Band.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    title = forms.CharField(label=_("Title or subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))

    def messages_for(self, *, locale: str) -> list[dict[str, Any]]:
        data = self.cleaned_data
        channel, title, body = data["channel"], data["title"], data["body"]
        fields: dict[str, str] = {
            "email": {"subject": title, "text": body},
            "whatsapp": {"body": f"{title}\n{body}"},
            "push": {"title": title, "body": body},
            "inbox": {"title": title, "body": body},
        }[channel]
        return [{"channel": channel, "locale": locale, **fields}]


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why launch anyway?"), min_length=10, widget=forms.Textarea(attrs={"rows": 2})
    )


class ManualItemForm(forms.Form):
    label = forms.CharField(label=_("New checklist item"), max_length=200)
    required = forms.BooleanField(label=_("Required for launch"), required=False, initial=True)


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class CalendarForm(forms.Form):
    view = forms.ChoiceField(
        label=_("View"), choices=[("month", _("Month")), ("week", _("Week"))], required=False
    )
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Campaign.Kind.choices], required=False
    )
    market = forms.CharField(label=_("Market"), max_length=2, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )

    def values(self, today: datetime.date) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "view": data.get("view") or "month",
            "anchor": data.get("date") or today,
            "kind": data.get("kind") or "",
            "market": (data.get("market") or "").upper(),
            "channel": data.get("channel") or "",
        }


__all__ = ["Metric"]
