from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creators.geo import STATE_CHOICES
from creators.models import Channel, ConsentStatus, Locale

ANY = [("", _("Any"))]
ACTIVITY_CHOICES = [
    ("", _("Any time")),
    ("1", _("Last 24 hours")),
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("365", _("Last year")),
]


class CreatorFilterForm(forms.Form):
    """The creators list's search box and filters (a GET form: every search is a link)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=150,
        help_text=_("Handle, name, email, or the start of a phone number"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=ANY + [(str(level), str(level)) for level in range(8)],
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=[*ANY, *STATE_CHOICES])
    locale = forms.ChoiceField(label=_("Language"), required=False, choices=ANY + Locale.choices)
    consent_email = forms.ChoiceField(
        label=_("Email consent"), required=False, choices=ANY + ConsentStatus.choices
    )
    consent_whatsapp = forms.ChoiceField(
        label=_("WhatsApp consent"), required=False, choices=ANY + ConsentStatus.choices
    )
    consent_push = forms.ChoiceField(
        label=_("Push consent"), required=False, choices=ANY + ConsentStatus.choices
    )
    consent_inbox = forms.ChoiceField(
        label=_("Inbox consent"), required=False, choices=ANY + ConsentStatus.choices
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=200,
        help_text=_("Separate tags with commas; creators must have all of them"),
    )
    active = forms.TypedChoiceField(
        label=_("Last active"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=ACTIVITY_CHOICES,
    )

    def search_arguments(self) -> dict[str, Any]:
        """The cleaned filters as keyword arguments of `selectors.creator_search`."""
        data = self.cleaned_data
        return {
            "q": data["q"],
            "level": data["level"],
            "state": data["state"],
            "locale": data["locale"],
            "consent": {channel: data[f"consent_{channel}"] for channel in Channel.values},
            "tags": [tag.strip() for tag in data["tags"].split(",") if tag.strip()],
            "active_within_days": data["active"],
        }


class CreatorImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("A CSV file as Excel or Google Sheets save it, with the header on line 1."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
