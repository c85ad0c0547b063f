from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.presenters import object_type_label

SYSTEM = "system"


class AuditFilterForm(forms.Form):
    """The audit log's filters: who, when (local dates, both ends included), which object."""

    person = forms.ChoiceField(label=_("Who"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    type = forms.ChoiceField(label=_("Object type"), required=False)
    id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = get_user_model()._default_manager.filter(
            pk__in=AuditEntry.objects.exclude(actor=None).values("actor_id")
        )
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = [
            ("", _("Anyone")),
            (SYSTEM, _("The system")),
            *((str(user.pk), user.get_username()) for user in people.order_by("username")),
        ]
        kind = self.fields["type"]
        assert isinstance(kind, forms.ChoiceField)
        types = AuditEntry.objects.order_by().values_list("target_type", flat=True).distinct()
        kind.choices = [
            ("", _("All")),
            *sorted(((value, object_type_label(value)) for value in types if value), key=_label),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        if cleaned.get("id") and not cleaned.get("type"):
            self.add_error("type", _("Choose the object type for this id."))
        return cleaned


def _label(choice: tuple[str, str]) -> str:
    return choice[1].lower()
