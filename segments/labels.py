"""How rules read to people: field and operator labels, the builder's field catalogue, and
`rules_describe`, which turns a rule tree into a sentence ("Level is at least 3 AND …")."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creators.geo import STATE_CHOICES
from creators.models import CONSENT_FIELDS, Channel, Creator
from segments.leaves import BEHAVIOURS, behaviour_parse
from segments.rules import DERIVED, FIELDS, OPS_BY_KIND, FieldKind, Op, rules_parse

OP_LABELS: dict[Op, Any] = {
    Op.EQ: gettext_lazy("is"),
    Op.NE: gettext_lazy("is not"),
    Op.IN: gettext_lazy("is one of"),
    Op.NOT_IN: gettext_lazy("is none of"),
    Op.GT: gettext_lazy("is more than"),
    Op.GTE: gettext_lazy("is at least"),
    Op.LT: gettext_lazy("is less than"),
    Op.LTE: gettext_lazy("is at most"),
    Op.BETWEEN: gettext_lazy("is between"),
    Op.CONTAINS: gettext_lazy("has the tags"),
    Op.IS_SET: gettext_lazy("is set"),
    Op.WITHIN_DAYS: gettext_lazy("is within the last (days)"),
    Op.NOT_WITHIN_DAYS: gettext_lazy("is not within the last (days)"),
}

# The fields people reach for first; every other Creator field follows in model order.
FIELD_ORDER = (
    "level",
    "state",
    "locale",
    "consent_email",
    "consent_whatsapp",
    "consent_push",
    "consent_inbox",
    "tags",
    "followers",
    "gmv_30d",
    "last_active_at",
    "joined_at",
    "category",
    "content_type",
    "market",
)

# Text fields whose values come from a known list, offered as a select in the builder.
SUGGESTED_CHOICES: dict[str, list[tuple[str, str]]] = {"state": STATE_CHOICES}


# The model's consent labels are formatted once at import, in whatever language was active
# then; build them here at run time so they follow the request's language.
_CONSENT_CHANNELS = {column: Channel(channel) for channel, column in CONSENT_FIELDS.items()}


def field_label(name: str) -> str:
    if name in DERIVED:
        return DERIVED[name].label()
    if name in _CONSENT_CHANNELS:
        return _("%(channel)s consent") % {"channel": _CONSENT_CHANNELS[name].label}
    field = Creator._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} is not a column of Creator"
    return str(capfirst(field.verbose_name))


def field_choices(name: str) -> list[tuple[str, str]]:
    """(value, label) pairs the field's value is picked from, or [] for a free value."""
    if name in SUGGESTED_CHOICES:
        return [(value, str(label)) for value, label in SUGGESTED_CHOICES[name]]
    if name in DERIVED:
        return []
    field = Creator._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} is not a column of Creator"
    return [(str(value), str(label)) for value, label in field.choices or ()]


def builder_fields() -> list[dict[str, Any]]:
    """The field catalogue the builder's script renders its selects from (labels translated)."""
    names = [name for name in FIELD_ORDER if name in FIELDS]
    names += [name for name in FIELDS if name not in names]
    return [
        {
            "name": name,
            "label": field_label(name),
            "kind": FIELDS[name].kind.value,
            "ops": [[op.value, str(OP_LABELS[op])] for op in OPS_BY_KIND[FIELDS[name].kind]],
            "choices": field_choices(name),
            "min": FIELDS[name].minimum,
            "max": FIELDS[name].maximum,
        }
        for name in names
    ]


def builder_behaviours() -> list[dict[str, Any]]:
    """The behaviour leaves the builder offers beside the fields, with their params."""
    return [
        {
            "name": behaviour.name,
            "label": behaviour.label(),
            "params": [
                {
                    "name": param.name,
                    "label": param.label(),
                    "kind": param.kind.value,
                    "required": param.required,
                    "choices": [[value, str(label)] for value, label in param.choices()]
                    if param.choices
                    else [],
                }
                for param in behaviour.params
            ],
        }
        for behaviour in sorted(BEHAVIOURS.values(), key=lambda behaviour: behaviour.name)
    ]


def _value_text(name: str, value: Any) -> str:
    labels = dict(field_choices(name))
    if isinstance(value, list):
        return ", ".join(_value_text(name, item) for item in value)
    if value == "" and FIELDS[name].kind is FieldKind.TEXT:
        return _("blank")
    return labels.get(str(value), str(value))


def _leaf_text(raw: dict[str, Any]) -> str:
    if "behaviour" in raw:
        leaf = behaviour_parse(raw, "")
        return leaf.behaviour.describe(dict(leaf.params))
    name, op, value = raw["field"], Op(raw["op"]), raw["value"]
    field = field_label(name)
    if op is Op.IS_SET:
        template = _("%(field)s is set") if value else _("%(field)s is not set")
        return template % {"field": field}
    if isinstance(value, dict):  # a campaign over a number of days
        template = (
            _("%(field)s: campaign %(campaign)s, within the last %(days)s days")
            if op is Op.WITHIN_DAYS
            else _("NOT %(field)s: campaign %(campaign)s, within the last %(days)s days")
        )
        return template % {
            "field": field,
            "campaign": value.get("campaign"),
            "days": value.get("days"),
        }
    if op is Op.WITHIN_DAYS:
        return _("%(field)s is within the last %(days)s days") % {"field": field, "days": value}
    if op is Op.NOT_WITHIN_DAYS:
        return _("%(field)s is not within the last %(days)s days") % {
            "field": field,
            "days": value,
        }
    if op is Op.BETWEEN:
        return _("%(field)s is between %(low)s and %(high)s") % {
            "field": field,
            "low": _value_text(name, value[0]),
            "high": _value_text(name, value[1]),
        }
    return f"{field} {OP_LABELS[op]} {_value_text(name, value)}"


def _node_text(raw: dict[str, Any], nested: bool) -> str:
    if "not" in raw:
        inner = raw["not"]
        return _("NOT %(rule)s") % {"rule": _node_text(inner, nested=True)}
    for key, joiner, empty in (("all", _("AND"), _("everyone")), ("any", _("OR"), _("no one"))):
        if key in raw:
            children = raw[key]
            if not children:
                return empty
            if len(children) == 1:
                return _node_text(children[0], nested)
            text = f" {joiner} ".join(_node_text(child, nested=True) for child in children)
            return f"({text})" if nested else text
    return _leaf_text(raw)


def rules_describe(rules: Any) -> str:
    """The rule tree as one sentence; invalid rules raise SegmentRulesInvalid."""
    rules_parse(rules)
    return capfirst(_node_text(rules, nested=False))


def field_value_text(name: str, value: Any) -> str:
    """A creator's value of `name` as the preview's sample shows it, in the viewer's
    language: a choice by its label, a date and a number formatted, tags joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | Decimal):
        return formats.number_format(value, force_grouping=True)
    return dict(field_choices(name)).get(str(value), str(value))
