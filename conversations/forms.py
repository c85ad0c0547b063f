"""Forms of the conversation pages: the inbox filters, a reply, assignment, tags, and the
canned answers' admin form (docs/conversations.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.exceptions import TemplateInvalid
from campaigns.models import Campaign
from conversations.canned import canned_answer_check
from conversations.models import CannedAnswer, Conversation
from creators.models import Creator
from programs.models import Program

UNASSIGNED = "none"


def _field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


CAMPAIGN_CHOICES = 200


def ops_repliers() -> QuerySet[Any]:
    """The active users who may reply (directly, through a role, or as superusers)."""
    permission = Permission.objects.filter(
        content_type__app_label="conversations", codename="change_conversation"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permission)
            | Q(groups__permissions__in=permission)
        )
        .distinct()
        .order_by("username")
    )


class InboxFilterForm(forms.Form):
    """The inbox's filters, all optional; invalid values make a 400, never a 500."""

    assignee = forms.ChoiceField(label=gettext_lazy("Assigned to"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    tag = forms.CharField(label=gettext_lazy("Tag"), required=False, max_length=50)
    campaign = forms.TypedChoiceField(
        label=gettext_lazy("Campaign"), required=False, coerce=int, empty_value=None
    )
    program = forms.TypedChoiceField(
        label=gettext_lazy("Program"), required=False, coerce=int, empty_value=None
    )
    unread = forms.BooleanField(label=gettext_lazy("Unread only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "assignee").choices = [
            ("", _("Anyone")),
            (UNASSIGNED, _("Nobody")),
            *((str(user.pk), user.get_username()) for user in ops_repliers()),
        ]
        _field(self, "status").choices = [("", _("Any status")), *Conversation.Status.choices]
        campaigns = Campaign.objects.filter(channels__contains=["whatsapp"]).order_by("-pk")
        _field(self, "campaign").choices = [
            ("", _("Any campaign")),
            *campaigns.values_list("pk", "name")[:CAMPAIGN_CHOICES],
        ]
        _field(self, "program").choices = [
            ("", _("Any program")),
            *Program.objects.order_by("-starts_on", "-pk").values_list("pk", "campaign__name"),
        ]

    def search_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            "status": data.get("status") or None,
            "tag": (data.get("tag") or "").strip().lower() or None,
            "campaign": data.get("campaign"),
            "program": data.get("program"),
        }
        assignee = data.get("assignee") or ""
        if assignee == UNASSIGNED:
            arguments["unassigned"] = True
        elif assignee:
            arguments["assignee"] = int(assignee)
        return arguments


VARIABLE_PREFIX = "var_"
MAX_VARIABLES = 50


class ReplyForm(forms.Form):
    """Free text (only while the window is open) or an approved template picked from the
    catalogue (`content_sid`), with one `var_<name>` input per variable of the template."""

    body = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        max_length=1600,
        widget=forms.Textarea(attrs={"rows": 4, "id": "reply-body"}),
    )
    content_sid = forms.CharField(label=gettext_lazy("Template"), required=False, max_length=34)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values: dict[str, str] = {}
        for key in self.data:
            if not key.startswith(VARIABLE_PREFIX):
                continue
            name, value = key.removeprefix(VARIABLE_PREFIX), str(self.data.get(key, ""))
            if not name or len(name) > 20 or len(value) > 1000 or len(values) >= MAX_VARIABLES:
                raise forms.ValidationError(_("A template variable is too long or unnamed."))
            values[name] = value.strip()
        cleaned["variables"] = values
        return cleaned


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=gettext_lazy("Assigned to"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "assignee").choices = [
            ("", _("Nobody")),
            *((str(user.pk), user.get_username()) for user in ops_repliers()),
        ]


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=1100,
        help_text=gettext_lazy("Separated by commas."),
    )

    def clean_tags(self) -> list[str]:
        return [tag for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()]


class LinkForm(forms.Form):
    """Give an unknown number's thread to a creator, named by handle."""

    handle = forms.CharField(label=gettext_lazy("Creator's handle"), max_length=100)

    def clean_handle(self) -> Creator:
        handle = self.cleaned_data["handle"].strip().lstrip("@")
        creator = Creator.objects.filter(handle=handle).first()
        if creator is None:
            raise forms.ValidationError(
                _("No creator has the handle %(handle)s.") % {"handle": handle}
            )
        return creator


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Conversation.Status.choices)


class CannedAnswerForm(forms.ModelForm):
    """Both texts are checked as templates when saved, as a campaign's WhatsApp body is."""

    class Meta:
        model = CannedAnswer
        fields = ["title", "body_es_mx", "body_en"]

    def _checked(self, name: str) -> str:
        source = self.cleaned_data.get(name, "")
        if source.strip():
            try:
                canned_answer_check(source)
            except TemplateInvalid as error:
                raise forms.ValidationError(str(error)) from error
        return source

    def clean_body_es_mx(self) -> str:
        return self._checked("body_es_mx")

    def clean_body_en(self) -> str:
        return self._checked("body_en")
