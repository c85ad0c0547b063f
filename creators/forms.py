from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.cells import (
    handle_read,
    market_read,
    phone_read,
    state_read,
    timezone_read,
)
from creators.geo import STATE_CHOICES
from creators.import_result import IMPORT_MESSAGES
from creators.models import Channel, ConsentStatus, ContentType, Creator, Locale
from creators.selectors import creator_search, creator_selection

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

    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Handle (A to Z)")),
            ("followers", _("Most followers")),
            ("gmv", _("Highest GMV, last 30 days")),
            ("active", _("Most recently active")),
        ],
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
            "sort": data["sort"],
        }


class CreatorImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("A CSV file as Excel or Google Sheets save it, with the header on line 1."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


# --- Bulk actions on the list -----------------------------------------------------------------

BULK_IDS_MAX = 500  # ticked rows come from pages of 50; more means a forged request
# Above this, "select all matching" is tagged or listed by a worker, not in the request
# (bench.creator_bulk: ~6 s per 50,000 creators tagged on the shared box).
BULK_SYNC_MAX = 10_000


class CreatorSelectionForm(forms.Form):
    """What a bulk action works on: the list's filters (`query`, the list page's own query
    string), and either "every creator matching" or the ticked ids (`ids`, repeated)."""

    query = forms.CharField(required=False, max_length=4000)
    all_matching = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        if len(raw) > BULK_IDS_MAX:
            raise ValidationError(_("Too many ticked creators: use “select all matching”."))
        if not all(value.isascii() and value.isdigit() and len(value) < 19 for value in raw):
            raise ValidationError(_("The selection is not valid: reload the page."))
        data["ids"] = [int(value) for value in raw]
        if not data.get("all_matching") and not data["ids"]:
            raise ValidationError(_("Select at least one creator, or all that match."))

        filters = CreatorFilterForm(QueryDict(data.get("query", "")))
        if not filters.is_valid():
            raise ValidationError(_("The filters are not valid: search again."))
        data["search"] = filters.search_arguments()
        return data

    def selected(self) -> QuerySet[Creator]:
        """The creators to act on (call after is_valid)."""
        data = self.cleaned_data
        return creator_selection(
            queryset=creator_search(**data["search"]),
            ids=data["ids"],
            all_matching=bool(data["all_matching"]),
        )

    def is_large(self) -> bool:
        """More creators than a request should change (BULK_SYNC_MAX): done by a worker."""
        data = self.cleaned_data
        if not data["all_matching"]:
            return False
        return self.selected()[: BULK_SYNC_MAX + 1].count() > BULK_SYNC_MAX

    def for_task(self) -> dict[str, Any]:
        """The selection as a task's JSON arguments (see selectors.creator_selection_load)."""
        data = self.cleaned_data
        return {"search": data["search"], "ids": data["ids"], "all_matching": data["all_matching"]}

    def audit_detail(self) -> dict[str, Any]:
        """What was selected, for the audit entry: the filters, or the ticked ids."""
        data = self.cleaned_data
        if data["all_matching"]:
            return {"filters": data["query"] or "—"}
        return {"ids": data["ids"][:100]}


def tag_read(value: str) -> str | None:
    """A tag as the importer keeps one: trimmed, no `;` (the import's separator), at most 64."""
    tag = value.strip()
    if not tag or ";" in tag or len(tag) > 64 or not tag.isprintable():
        return None
    return tag


class CreatorTagForm(forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=64)

    def clean_tag(self) -> str:
        tag = tag_read(self.cleaned_data["tag"])
        if tag is None:
            raise ValidationError(_("A tag is up to 64 characters, without “;”."))
        return tag


# --- Editing one creator ----------------------------------------------------------------------


def _read_or_error(value: str, read: Callable[[str], Any], code: str) -> Any:
    """A cell read as the importer reads it, or the import's own message for that column."""
    result = read(value)
    if result is None:
        raise ValidationError(IMPORT_MESSAGES[code])
    return result


class CreatorEditForm(forms.Form):
    """A creator's profile, each field checked as the CSV import checks its column
    (creators/cells.py, the same messages). Consent is changed on its own, with a reason;
    GMV comes from the daily metrics, so neither is here."""

    handle = forms.CharField(label=_("Handle"), max_length=64)
    name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    locale = forms.ChoiceField(label=_("Language"), choices=Locale.choices)
    timezone = forms.CharField(label=_("Time zone"), max_length=64)
    market = forms.CharField(label=_("Market"), max_length=2)
    state = forms.CharField(label=_("State"), max_length=64, required=False)
    level = forms.IntegerField(
        label=_("Level"),
        min_value=0,
        max_value=7,
        error_messages={"invalid": IMPORT_MESSAGES["level"]},
    )
    followers = forms.IntegerField(label=_("Followers"), min_value=0, max_value=2**63 - 1)
    category = forms.CharField(label=_("Primary category"), max_length=64, required=False)
    content_type = forms.ChoiceField(label=_("Content type"), choices=ContentType.choices)
    joined_at = forms.CharField(label=_("Joined"), required=False, max_length=40)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=2000,
        help_text=_("Separate tags with commas"),
    )

    @classmethod
    def for_creator(cls, creator: Creator) -> CreatorEditForm:
        return cls(
            initial={
                "handle": creator.handle,
                "name": creator.name,
                "email": creator.email,
                "phone": creator.phone,
                "locale": creator.locale,
                "timezone": creator.timezone,
                "market": creator.market,
                "state": creator.state,
                "level": creator.level,
                "followers": creator.followers,
                "category": creator.category,
                "content_type": creator.content_type,
                "joined_at": creator.joined_at.isoformat() if creator.joined_at else "",
                "tags": ", ".join(creator.tags),
            }
        )

    def clean_handle(self) -> str:
        return _read_or_error(self.cleaned_data["handle"].strip(), handle_read, "handle")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(IMPORT_MESSAGES["email"]) from None
        return email

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return _read_or_error(phone, phone_read, "phone") if phone else ""

    def clean_timezone(self) -> str:
        return _read_or_error(self.cleaned_data["timezone"].strip(), timezone_read, "timezone")

    def clean_market(self) -> str:
        return _read_or_error(self.cleaned_data["market"].strip(), market_read, "market")

    def clean_joined_at(self) -> datetime | None:
        text = self.cleaned_data["joined_at"].strip()
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(IMPORT_MESSAGES["datetime"]) from None
        if moment.tzinfo is None:
            moment = timezone.make_aware(moment)
        return moment

    def clean_tags(self) -> list[str]:
        tags = [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        for tag in tags:
            if tag_read(tag) is None:
                raise ValidationError(_("A tag is up to 64 characters, without “;”."))
        return list(dict.fromkeys(tags))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        state = (data.get("state") or "").strip()
        market = data.get("market")
        if state and market == "MX":
            code = state_read(state)
            if code is None:
                self.add_error("state", IMPORT_MESSAGES["state"])
            else:
                data["state"] = code
        else:
            data["state"] = state
        if "email" in data and "phone" in data and not data["email"] and not data["phone"]:
            raise ValidationError(IMPORT_MESSAGES["contact_required"])
        return data


class ConsentChangeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    status = forms.ChoiceField(label=_("Consent"), choices=ConsentStatus.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Why, for the consent history (e.g. “asked by email on 3 May”)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("This field is required."))
        return reason
