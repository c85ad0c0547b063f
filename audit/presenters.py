"""An audit entry in words, in the viewer's language: no `campaign.sending`, no
`from: submitted; to: approved`.

The action `<entity>.<verb>` reads as the verb's label, or as "moved to “Sending”" when the
verb is a status of the object's model; detail keys have labels, status values their
choice's label, and a stored system message (`{"code": …, "params": …}`) is rendered.
Models are found by name through the app registry, so audit imports no app above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.links import LINKS
from audit.models import AuditEntry
from common.system_messages import system_message_render

VERBS: dict[str, Promise] = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("updated"),
    "change": gettext_lazy("changed"),
    "submit": gettext_lazy("submitted"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "resend": gettext_lazy("re-sent"),
    "launch": gettext_lazy("launched"),
    "schedule": gettext_lazy("scheduled"),
    "cancel": gettext_lazy("cancelled"),
    "resume": gettext_lazy("resumed"),
    "import": gettext_lazy("imported"),
    "metrics_import": gettext_lazy("metrics imported"),
    "enrol": gettext_lazy("creators enrolled"),
    "notes": gettext_lazy("notes written"),
    "band_message": gettext_lazy("band message sent"),
    "adapt": gettext_lazy("adapted to another market"),
    "outcome": gettext_lazy("outcome recorded"),
    "tag": gettext_lazy("tagged"),
    "status": gettext_lazy("status changed"),
    "reply": gettext_lazy("replied"),
    "link": gettext_lazy("linked to a creator"),
    "assign": gettext_lazy("assigned"),
    "optout": gettext_lazy("opted out"),
    "add": gettext_lazy("added"),
    "resolve": gettext_lazy("resolved"),
    "download": gettext_lazy("downloaded"),
    "test_send": gettext_lazy("test sent"),
    "winner": gettext_lazy("winner picked"),
    "policies": gettext_lazy("sending policies changed"),
    "checklist_add": gettext_lazy("checklist item added"),
    "checklist_tick": gettext_lazy("checklist item ticked"),
    "readiness_override": gettext_lazy("launched despite the checklist"),
    "to_education": gettext_lazy("sent to the education library"),
    "member_add": gettext_lazy("member added"),
    "refuse": gettext_lazy("refused"),
    "pause": gettext_lazy("paused"),
    "fail": gettext_lazy("failed"),
    "invite": gettext_lazy("invited"),
    "accept": gettext_lazy("invitation accepted"),
    "role_change": gettext_lazy("role changed"),
    "deactivate": gettext_lazy("deactivated"),
    "member_invite": gettext_lazy("member invited"),
    "member_remove": gettext_lazy("member removed"),
}

DETAIL_KEYS: dict[str, Promise] = {
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
    "note": gettext_lazy("note"),
    "status": gettext_lazy("status"),
    "reason": gettext_lazy("reason"),
    "file": gettext_lazy("file"),
    "rows": gettext_lazy("rows"),
    "kind": gettext_lazy("kind"),
    "members": gettext_lazy("members"),
    "fields": gettext_lazy("fields"),
    "channels": gettext_lazy("channels"),
    "deliveries": gettext_lazy("deliveries"),
    "include_unknown": gettext_lazy("unknown ones included"),
    "variant": gettext_lazy("variant"),
    "metric": gettext_lazy("metric"),
    "campaign": gettext_lazy("campaign"),
    "creators": gettext_lazy("creators"),
    "imported": gettext_lazy("imported"),
    "errors": gettext_lazy("errors"),
    "locale": gettext_lazy("language"),
    "tags": gettext_lazy("tags"),
    "assignee": gettext_lazy("assigned to"),
    "user": gettext_lazy("user"),
    "agency": gettext_lazy("agency"),
    "version": gettext_lazy("version"),
    "number": gettext_lazy("number"),
    "new": gettext_lazy("new"),
    "item": gettext_lazy("item"),
    "required": gettext_lazy("required"),
    "done": gettext_lazy("done"),
    "failing": gettext_lazy("failing"),
    "outcome": gettext_lazy("outcome"),
    "market": gettext_lazy("market"),
    "steps": gettext_lazy("steps"),
    "band": gettext_lazy("band"),
    "address": gettext_lazy("address"),
    "site": gettext_lazy("site"),
    "message": gettext_lazy("message"),
    "template": gettext_lazy("template"),
    "creator": gettext_lazy("creator"),
    "phone": gettext_lazy("phone"),
    "file_type": gettext_lazy("file type"),
    "education_item": gettext_lazy("education item"),
    "rules": gettext_lazy("rules"),
    "email": gettext_lazy("email"),
    "role": gettext_lazy("role"),
    "previous_role": gettext_lazy("previous role"),
}
STATUS_KEYS = ("from", "to", "status")

# Detail values that are codes of an app above audit (a role), put into words by the labels
# that app registers when it loads (`audit_detail_values_register`).
DETAIL_VALUES: dict[str, dict[str, Promise]] = {}


def audit_detail_values_register(keys: tuple[str, ...], labels: dict[str, Promise]) -> None:
    for key in keys:
        DETAIL_VALUES.setdefault(key, {}).update(labels)


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    return {model._meta.model_name or "": model for model in apps.get_models()}


def _model(name: str) -> type[models.Model] | None:
    return _models_by_name().get(name.replace("_", ""))


def _target_model(target_type: str) -> type[models.Model] | None:
    """The model of an object type: by name, or as audit/links.py names it ("import")."""
    model = _model(target_type)
    if model is None and target_type in LINKS:
        try:
            model = apps.get_model(LINKS[target_type].model)
        except (LookupError, ValueError):
            model = None
    return model


def _status_labels(model: type[models.Model] | None) -> dict[str, str]:
    if model is None:
        return {}
    try:
        field = model._meta.get_field("status")
    except FieldDoesNotExist:
        return {}
    return {str(value): str(label) for value, label in getattr(field, "choices", None) or ()}


def _value(value: Any, *, statuses: dict[str, str]) -> str:
    if isinstance(value, dict) and "code" in value:
        return system_message_render(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float):
        return number_format(value, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(_value(item, statuses=statuses) for item in value)
    if value is None:
        return "—"
    return statuses.get(str(value), str(value))


@dataclass
class AuditRow:
    entry: AuditEntry
    actor: str
    action: str
    object_type: str
    detail: list[tuple[str, str]]


def object_type_label(target_type: str) -> str:
    """An object type in words ("Campaign"), or as stored when no model has that name."""
    model = _target_model(target_type)
    return str(model._meta.verbose_name).capitalize() if model is not None else target_type


def audit_row(entry: AuditEntry) -> AuditRow:
    entity, _dot, verb = entry.action.partition(".")
    model = _target_model(entry.target_type) or _model(entity)
    statuses = _status_labels(model)
    if verb in statuses:
        action = _("moved to “%(status)s”") % {"status": statuses[verb]}
    elif verb in VERBS:
        action = str(VERBS[verb])
    else:
        action = entry.action
    entity_model = _model(entity)
    if entity_model is not None:
        action = f"{str(entity_model._meta.verbose_name).capitalize()} · {action}"
    object_type = (
        str(model._meta.verbose_name).capitalize() if model is not None else entry.target_type
    )
    detail = [
        (
            str(DETAIL_KEYS.get(key, key)),
            _value(
                value,
                statuses=statuses
                if key in STATUS_KEYS
                else {code: str(label) for code, label in DETAIL_VALUES.get(key, {}).items()},
            ),
        )
        for key, value in (entry.detail or {}).items()
    ]
    return AuditRow(
        entry=entry,
        actor=str(entry.actor) if entry.actor else str(_("system")),
        action=action,
        object_type=object_type,
        detail=detail,
    )
