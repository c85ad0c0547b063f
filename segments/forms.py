"""The segment builder's form: name, description, how to save, and the rule tree as JSON text.

The tree is only parsed as JSON here; whether it is a valid rule tree is the services' call,
so the builder, the admin and the API refuse bad rules with the same message and path.
"""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from segments.models import Segment
from segments.services import handles_file_read

SAVE_AS_CHOICES = [
    (Segment.Kind.DYNAMIC, _("Dynamic: membership follows the rules")),
    (Segment.Kind.STATIC, _("Static: a snapshot of today’s members")),
]


class SegmentBuilderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(
        label=_("Save as"),
        choices=SAVE_AS_CHOICES,
        initial=Segment.Kind.DYNAMIC,
        widget=forms.RadioSelect,
    )
    rules = forms.CharField(
        label=_("Rules (JSON)"),
        initial='{"all": []}',
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, segment: Segment | None = None, **kwargs: Any) -> None:
        if segment is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": segment.name,
                    "description": segment.description,
                    "rules": json.dumps(segment.rules, ensure_ascii=False),
                },
            )
        super().__init__(*args, **kwargs)
        if segment is not None:
            # A saved segment keeps its kind; a static one has a member list, not rules.
            del self.fields["kind"]
            if segment.kind == Segment.Kind.STATIC:
                del self.fields["rules"]

    def clean_rules(self) -> Any:
        try:
            return json.loads(self.cleaned_data["rules"])
        except ValueError as error:
            raise forms.ValidationError(
                _("The rules are not valid JSON: %(error)s"), params={"error": error}
            ) from None


LIST_FILE_MAX_BYTES = 5 * 1024 * 1024


class SegmentListForm(forms.Form):
    """A list of handles, pasted or uploaded: one per line or separated by commas."""

    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    handles = forms.CharField(
        label=_("Handles"),
        required=False,
        strip=False,
        help_text=_(
            "One per line or separated by commas; “@” optional, upper or lower case alike."
        ),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "id": "list-handles"}),
    )
    file = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=_("A text or CSV file; a CSV with a “handle” column gives that column."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        text = data.get("handles") or ""
        if upload is not None:
            if upload.size > LIST_FILE_MAX_BYTES:
                self.add_error("file", _("The file is larger than 5 MB: split it."))
                return data
            text = "\n".join(part for part in (text, handles_file_read(upload.read())) if part)
        if "\x00" in text:
            self.add_error("handles", _("The text contains a NUL character."))
        elif not text.strip() and not self.has_error("name"):
            self.add_error("handles", _("Paste at least one handle, or upload a file."))
        data["text"] = text
        return data


class AddToListForm(forms.Form):
    """The creators list's "add to a list": an existing static list, or a new one by name."""

    list_segment = forms.ModelChoiceField(
        label=_("List"),
        queryset=Segment.objects.filter(kind=Segment.Kind.STATIC),
        required=False,
        empty_label=_("A new list named…"),
    )
    list_name = forms.CharField(label=_("New list name"), max_length=150, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("list_segment") and not (data.get("list_name") or "").strip():
            raise forms.ValidationError(_("Pick a list, or name a new one."))
        return data
