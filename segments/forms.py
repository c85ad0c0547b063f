"""The segment builder's form: name, description, how to save, and the rule tree as JSON text.

The tree is only parsed as JSON here; whether it is a valid rule tree is the services' call,
so the builder, the admin and the API refuse bad rules with the same message and path.
"""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from segments.models import Segment

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
