"""Wizard and campaign page forms: they parse and validate input; services do the rest."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from campaigns import recurrence
from campaigns.exceptions import TriggerInvalid
from campaigns.models import Campaign, Delivery
from campaigns.rendering import CHANNEL_FIELDS, FieldKind
from campaigns.services import campaign_timezone
from campaigns.triggers import trigger_normalize
from creators.models import Channel, Locale
from segments.models import Segment


class BasicsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    market = forms.CharField(label=_("Market"), max_length=2, initial="MX")
    default_locale = forms.ChoiceField(
        label=_("Default language"), choices=Locale.choices, initial=Locale.ES_MX
    )
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    transactional = forms.BooleanField(
        label=_("Transactional"),
        required=False,
        help_text=_(
            "Account, payment or rules notices only: they reach creators in the program-wide "
            "holdout and ignore frequency caps. Never for promotions."
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data


class AudienceForm(forms.Form):
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.order_by("name"))
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )


class ExperimentForm(forms.Form):
    """The A/B test and holdout of a campaign (the same policies the API's PUT /policies sets,
    validated by the same service: docs/policies.md)."""

    VARIANT_KEYS = ("A", "B", "C")
    variants = forms.TypedChoiceField(
        label=_("A/B test"),
        coerce=int,
        choices=[(0, _("No A/B test")), (2, _("Two variants: A and B")), (3, _("Three: A, B, C"))],
        initial=0,
    )
    weight_a = forms.IntegerField(label=_("Share of A"), min_value=1, max_value=100, initial=50)
    weight_b = forms.IntegerField(label=_("Share of B"), min_value=1, max_value=100, initial=50)
    weight_c = forms.IntegerField(
        label=_("Share of C"), min_value=1, max_value=100, initial=50, required=False
    )
    holdout_percent = forms.DecimalField(
        label=_("Holdout (%)"),
        min_value=0,
        max_value=Decimal("99.99"),
        decimal_places=2,
        initial=0,
        help_text=_("This share of the audience gets nothing: compare it with the others."),
    )
    test_percent = forms.DecimalField(
        label=_("Test share (%)"),
        min_value=0,
        max_value=Decimal("99.99"),
        decimal_places=2,
        initial=0,
        help_text=_(
            "0: every creator gets a variant at once. Otherwise the variants go to this share "
            "first, and the winner to the rest."
        ),
    )
    winner_metric = forms.ChoiceField(
        label=_("The winner is the variant with the best"),
        choices=[("ctr", _("Click rate")), ("or", _("Open rate"))],
        initial="ctr",
    )
    winner_after_minutes = forms.IntegerField(
        label=_("Pick the winner after (minutes)"), min_value=0, max_value=100_000, initial=240
    )

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict[str, Any]:
        weights = campaign.variant_weights or {}
        return {
            "variants": len(weights) if len(weights) in (2, 3) else 0,
            **{f"weight_{key.lower()}": int(weights.get(key, 50)) for key in cls.VARIANT_KEYS},
            "holdout_percent": campaign.holdout_percent,
            "test_percent": campaign.test_percent,
            "winner_metric": campaign.winner_metric,
            "winner_after_minutes": campaign.winner_after_minutes,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        count = data.get("variants") or 0
        keys = self.VARIANT_KEYS[:count]
        weights: dict[str, float] = {}
        for key in keys:
            value = data.get(f"weight_{key.lower()}")
            if value is None:
                self.add_error(f"weight_{key.lower()}", _("Give the share of this variant."))
            else:
                weights[key] = float(value)
        data["variant_weights"] = weights
        if not count and data.get("test_percent"):
            self.add_error("test_percent", _("A test phase needs at least two variants."))
        return data

    def policy(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "variant_weights": data["variant_weights"],
            "holdout_percent": data["holdout_percent"],
            "test_percent": data["test_percent"],
            "winner_metric": data["winner_metric"],
            "winner_after_minutes": data["winner_after_minutes"],
        }


# Labels of the message fields, per channel (the keys are the API's field names).
FIELD_LABELS: dict[str, Any] = {
    "subject": _("Subject"),
    "preheader": _("Preheader"),
    "html": _("HTML body"),
    "text": _("Plain-text body (made from the HTML when blank)"),
    "body": _("Body"),
    "content_sid": _("Content template SID"),
    "variables": _("Template variables (one “name=value” per line)"),
    "title": _("Title"),
    "link": _("Link"),
    "image": _("Image URL"),
    "cta_label": _("Button label"),
    "cta_link": _("Button link"),
}
MULTILINE = {FieldKind.HTML, FieldKind.VARIABLES}


def message_form_fields(channel: str) -> list[tuple[str, Any, bool]]:
    """(name, label, multiline) for each field of a channel's message."""
    return [
        (name, FIELD_LABELS.get(name, name), kind in MULTILINE or name in ("body", "text"))
        for name, kind in CHANNEL_FIELDS[channel].items()
    ]


def message_fields_parse(*, channel: str, data: Any) -> dict[str, Any]:
    """The message's fields from a POST: blanks dropped, WhatsApp variables as a dict."""
    fields: dict[str, Any] = {}
    for name, kind in CHANNEL_FIELDS[channel].items():
        raw = str(data.get(name, "") or "")
        if not raw.strip():
            continue
        if kind is FieldKind.VARIABLES:
            fields[name] = variables_parse(raw)
        else:
            fields[name] = raw.replace("\r\n", "\n")
    return fields


def variables_parse(raw: str) -> dict[str, str]:
    raw = raw.strip()
    if raw.startswith("{"):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return {str(key): str(item) for key, item in value.items()}
    variables: dict[str, str] = {}
    for line in raw.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            variables[key.strip()] = value.strip()
    return variables


def variables_format(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{key}={item}" for key, item in value.items())
    return str(value or "")


class ScheduleForm(forms.Form):
    MODES = [
        ("now", _("Now, when launched")),
        ("at", _("At a date and time")),
        ("recurring", _("Recurring")),
        ("event", _("Starts when an event happens")),
    ]
    mode = forms.ChoiceField(label=_("When"), choices=MODES, widget=forms.RadioSelect)
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    # Recurring: plain options, or cron as the expert path (campaigns/recurrence.py).
    recurring_every = forms.ChoiceField(
        label=_("Repeat"),
        required=False,
        choices=[
            (recurrence.DAILY, _("Every day")),
            (recurrence.WEEKLY, _("Every week on")),
            (recurrence.MONTHLY, _("On the first day of each month")),
            (recurrence.CRON, _("Cron expression (expert)")),
        ],
        initial=recurrence.WEEKLY,
    )
    recurring_weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(index, name) for index, name in WEEKDAYS.items()],
        initial=0,
    )
    recurring_time = forms.TimeField(
        label=_("At"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial="10:00",
    )
    cron = forms.CharField(
        label=_("Cron expression (minute hour day month weekday)"),
        required=False,
        max_length=200,
        help_text=_("For example “0 10 * * 1” is every Monday at 10:00."),
    )

    # A triggered campaign (docs/triggers.md): launching arms it.
    trigger_event = forms.CharField(
        label=_("Event name"),
        required=False,
        max_length=100,
        help_text=_("Lower-case, as the events arrive, e.g. sale_made or band_reached."),
    )
    trigger_where = forms.CharField(
        label=_("Conditions on the event's properties (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'The segment rule language over the props, e.g. {"field": "amount", "op": "gte", '
            '"value": 100}.'
        ),
    )
    trigger_repeat = forms.ChoiceField(
        label=_("Each creator gets it"),
        required=False,
        choices=[
            ("once", _("Once ever")),
            ("every", _("At most once every N days")),
            ("always", _("Every time")),
        ],
        initial="once",
    )
    trigger_every_days = forms.IntegerField(
        label=_("N days"), required=False, min_value=1, max_value=3650
    )

    # Sending policies (docs/policies.md); empty keeps the defaults.
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In each creator's own time zone. Empty: the default quiet hours."),
    )
    send_local_time = forms.TimeField(
        label=_("Send at local time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("The same local hour in every time zone, e.g. 10:00."),
    )
    spread_hours = forms.DecimalField(
        label=_("Spread the sends over (hours)"),
        required=False,
        min_value=0,
        max_value=168,
        decimal_places=2,
    )

    busy_firing = forms.ChoiceField(
        label=_("When a recurring firing comes while the previous run is still open"),
        choices=Campaign.BusyFiring.choices,
        initial=Campaign.BusyFiring.SKIP,
        required=False,
        help_text=_("Every firing is listed on the campaign page with what came of it."),
    )

    CRON_KEYS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    POLICY_KEYS = (
        "quiet_hours_start",
        "quiet_hours_end",
        "send_local_time",
        "spread_hours",
        "busy_firing",
    )
    TRIGGER_KEYS = ("trigger_event", "trigger_where", "trigger_repeat", "trigger_every_days")

    def clean_send_at(self) -> datetime | None:
        # The datetime-local value is wall time in the ops time zone (settings.TIME_ZONE).
        value = self.cleaned_data.get("send_at")
        if value is None:
            return None
        zone = ZoneInfo(campaign_timezone())
        return value.replace(tzinfo=None).replace(tzinfo=zone)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        mode = data.get("mode")
        if mode == "at":
            if data.get("send_at") is None:
                self.add_error("send_at", _("Give a date and time."))
            elif data["send_at"] <= timezone.now():
                self.add_error("send_at", _("The send time is in the past."))
        if mode == "recurring":
            self._recurring(data)
        if mode == "event":
            data["trigger"] = self._trigger(data)
        if (data.get("quiet_hours_start") is None) != (data.get("quiet_hours_end") is None):
            self.add_error("quiet_hours_end", _("Give both ends of the quiet hours, or neither."))
        return data

    def _recurring(self, data: dict[str, Any]) -> None:
        """The crontab the recurring fields describe (errors go on their fields)."""
        every = data.get("recurring_every") or recurrence.CRON
        if every == recurrence.CRON:
            try:
                data["crontab"] = recurrence.crontab_from_expression(data.get("cron") or "")
            except ValueError as error:
                self.add_error("cron", str(error))
            return
        if data.get("recurring_time") is None:
            self.add_error("recurring_time", _("Give the time of day."))
            return
        if every == recurrence.WEEKLY and data.get("recurring_weekday") is None:
            self.add_error("recurring_weekday", _("Choose the weekday."))
            return
        data["crontab"] = recurrence.crontab_from_plain(
            every=every, at=data["recurring_time"], weekday=data.get("recurring_weekday")
        )

    @classmethod
    def recurring_initial(cls, crontab: dict[str, str]) -> dict[str, Any]:
        """The recurring fields showing a stored crontab: plain options when they can."""
        every, at, weekday = recurrence.crontab_to_plain(crontab)
        initial: dict[str, Any] = {
            "recurring_every": every,
            "cron": " ".join(str(crontab.get(key, "*")) for key in cls.CRON_KEYS),
        }
        if at is not None:
            initial["recurring_time"] = at
        if weekday is not None:
            initial["recurring_weekday"] = weekday
        return initial

    def _trigger(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The trigger the event fields describe, checked (errors go on their fields)."""
        where: Any = {}
        if (data.get("trigger_where") or "").strip():
            try:
                where = json.loads(data["trigger_where"])
            except ValueError:
                self.add_error("trigger_where", _("Not valid JSON."))
                return None
        repeat: Any = data.get("trigger_repeat") or "once"
        if repeat == "every":
            repeat = {"every_days": data.get("trigger_every_days")}
        try:
            return trigger_normalize(
                {
                    "event": (data.get("trigger_event") or "").strip(),
                    "where": where,
                    "repeat": repeat,
                }
            )
        except TriggerInvalid as error:
            part = error.path.split(".")[1] if "." in error.path else "event"
            field = {
                "where": "trigger_where",
                "repeat": "trigger_every_days" if isinstance(repeat, dict) else "trigger_repeat",
            }.get(part, "trigger_event")
            self.add_error(field, error.reason)
            return None


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + Delivery.Status.choices
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any"))] + Channel.choices
    )
    error_code = forms.CharField(label=_("Error code"), required=False, max_length=64)


class IdListField(forms.Field):
    """Ids from repeated inputs (checkboxes named alike); the service checks what they are."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(item) for item in value or []]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(_("Not a list of ids.")) from error


class ResendForm(forms.Form):
    delivery = IdListField(label=_("Deliveries"))
    include_unknown = forms.BooleanField(
        required=False,
        label=_("Also re-send “unknown” deliveries (they may have reached the creator already)"),
    )


class TestSendForm(forms.Form):
    recipients = forms.CharField(
        label=_("Send a test to (one email address or WhatsApp number per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    locale = forms.ChoiceField(label=_("Language"), choices=Locale.choices)


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Why (sent back to the editor)"), max_length=500)


class SnippetForm(forms.Form):
    slug = forms.SlugField(
        label=_("Name"),
        max_length=60,
        help_text=_(
            "Letters, digits and dashes, e.g. reglas-mision: templates use it as "
            "{{ snippet('reglas-mision') }}."
        ),
    )
    locale = forms.ChoiceField(label=_("Language"), choices=Locale.choices)
    description = forms.CharField(label=_("What it is for"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Body"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 12, "class": "code"}),
        help_text=_("A template like a message's: it can use creator, campaign and the helpers."),
    )
