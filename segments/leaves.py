"""Behaviour leaves of the rule language: what a creator did, not a column of Creator.

A behaviour leaf is `{"behaviour": NAME, <params>}`, e.g.
`{"behaviour": "clicked", "campaign_id": 12, "within_days": 7}`. Most behaviours live in
tables of apps above segments (deliveries, replies, lesson progress, enrolments, metrics),
so each of those apps registers its behaviours here from its AppConfig.ready(), as a
`Behaviour`: the params it takes, a cross-check, a compiler to a boolean expression over
the outer Creator row (an `Exists`/`Subquery` with `OuterRef("pk")`, so the whole segment
stays ONE statement) and a sentence. segments/rules.py parses and compiles them like any leaf.

A behaviour whose compiled test is a per-creator aggregate (a correlated `COUNT`/`SUM`
subquery, run once for each creator it is tested on, which PostgreSQL cannot turn into a
join) says so with `aggregate(params)`; the compiler then tests it only on the creators the
other leaves of its `all` group select (segments/rules.py, `_all_q`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from segments.exceptions import SegmentRulesInvalid

MAX_ID = 2**63 - 1
MAX_DAYS = 36500
MAX_COUNT = 1_000_000
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")


class ParamKind(StrEnum):
    ID = "id"  # a row id (campaign, program, lesson...)
    DAYS = "days"  # a whole number of days, 1..MAX_DAYS
    COUNT = "count"  # a whole number, 0..MAX_COUNT
    CHOICE = "choice"  # one of `choices()`
    NUMBER = "number"  # a decimal number
    NAME = "name"  # a lower-case identifier (an event name)
    TRUE = "true"  # the flag `true`
    PROPS = "props"  # a rule tree over an event's props (segments/props.py)


@dataclass(frozen=True)
class Param:
    name: str
    kind: ParamKind
    label: Callable[[], str]
    required: bool = False
    choices: Callable[[], list[tuple[str, str]]] | None = None


Params = Mapping[str, Any]


@dataclass(frozen=True)
class Behaviour:
    """One behaviour leaf. `check(params, path)` raises SegmentRulesInvalid for combinations
    the single params allow but the leaf does not (e.g. both `campaign_id` and `kind`);
    `compile(params, now)` returns a Q over Creator; `describe(params)` a phrase such as
    "clicked campaign 12 in the last 7 days". Params arrive checked and normalised.
    `aggregate(params)` is true when `compile` gives a per-creator aggregate subquery rather
    than an `EXISTS` (see the module docstring); None: never."""

    name: str
    label: Callable[[], str]
    params: tuple[Param, ...]
    compile: Callable[[Params, datetime], Q]
    describe: Callable[[Params], str]
    check: Callable[[Params, str], None] | None = None
    aggregate: Callable[[Params], bool] | None = None


BEHAVIOURS: dict[str, Behaviour] = {}


def behaviour_register(behaviour: Behaviour) -> None:
    BEHAVIOURS[behaviour.name] = behaviour


@dataclass(frozen=True)
class BehaviourLeaf:
    """A checked behaviour leaf: the behaviour and its normalised params."""

    behaviour: Behaviour
    params: tuple[tuple[str, Any], ...]

    def compile(self, now: datetime) -> Q:
        return self.behaviour.compile(dict(self.params), now)

    @property
    def aggregate(self) -> bool:
        test = self.behaviour.aggregate
        return test is not None and test(dict(self.params))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _whole(value: Any, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def _param_value(param: Param, value: Any, path: str) -> Any:
    kind = param.kind
    if kind is ParamKind.ID:
        if not _whole(value, 1, MAX_ID):
            raise SegmentRulesInvalid(path, _("expected an id (a whole number of at least 1)"))
        return value
    if kind is ParamKind.DAYS:
        if not _whole(value, 1, MAX_DAYS):
            raise SegmentRulesInvalid(
                path, _("expected a whole number of days from 1 to %(max)d") % {"max": MAX_DAYS}
            )
        return value
    if kind is ParamKind.COUNT:
        if not _whole(value, 0, MAX_COUNT):
            raise SegmentRulesInvalid(
                path, _("expected a whole number from 0 to %(max)d") % {"max": MAX_COUNT}
            )
        return value
    if kind is ParamKind.CHOICE:
        assert param.choices is not None
        choices = [choice for choice, _label in param.choices()]
        if not isinstance(value, str) or value not in choices:
            raise SegmentRulesInvalid(
                path,
                _('"%(value)s" is not one of %(choices)s')
                % {"value": value, "choices": ", ".join(choices)},
            )
        return value
    if kind is ParamKind.NUMBER:
        number = None
        if not isinstance(value, bool) and isinstance(value, int | float | str):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            raise SegmentRulesInvalid(path, _("expected a number"))
        return number
    if kind is ParamKind.NAME:
        if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
            raise SegmentRulesInvalid(
                path,
                _(
                    "expected a name of lower-case letters, digits and _, starting with a "
                    "letter (at most 64 characters)"
                ),
            )
        return value
    if kind is ParamKind.TRUE:
        if value is not True:
            raise SegmentRulesInvalid(path, _("expected true"))
        return True
    from segments.props import props_parse

    return props_parse(value, path)


def behaviour_parse(raw: dict[str, Any], path: str) -> BehaviourLeaf:
    """Check a `{"behaviour": ...}` leaf; raise SegmentRulesInvalid at the bad key."""
    name = raw["behaviour"]
    behaviour = BEHAVIOURS.get(name) if isinstance(name, str) else None
    if behaviour is None:
        raise SegmentRulesInvalid(
            _join(path, "behaviour"),
            _('unknown behaviour "%(name)s"; known behaviours: %(names)s')
            % {"name": name, "names": ", ".join(sorted(BEHAVIOURS))},
        )
    by_name = {param.name: param for param in behaviour.params}
    for key in raw:
        if key != "behaviour" and key not in by_name:
            raise SegmentRulesInvalid(
                _join(path, str(key)),
                _('unknown key "%(key)s": "%(behaviour)s" takes %(keys)s')
                % {"key": key, "behaviour": name, "keys": ", ".join(by_name)},
            )
    params: dict[str, Any] = {}
    for param in behaviour.params:
        if param.name in raw:
            params[param.name] = _param_value(param, raw[param.name], _join(path, param.name))
        elif param.required:
            raise SegmentRulesInvalid(path, _('missing "%(key)s"') % {"key": param.name})
    if behaviour.check is not None:
        behaviour.check(params, path)
    return BehaviourLeaf(behaviour, tuple(params.items()))


def at_most_one(params: Params, path: str, keys: tuple[str, ...], *, required: bool) -> None:
    """Refuse a leaf with more than one of `keys` (or none, when `required`)."""
    present = [key for key in keys if key in params]
    if len(present) > 1:
        raise SegmentRulesInvalid(
            _join(path, present[1]),
            _("give only one of %(keys)s") % {"keys": ", ".join(keys)},
        )
    if required and not present:
        raise SegmentRulesInvalid(path, _("give one of %(keys)s") % {"keys": ", ".join(keys)})


def since(params: Params, now: datetime) -> datetime | None:
    """The start of the leaf's `within_days` window, or None for all time."""
    days = params.get("within_days")
    return None if days is None else now - timedelta(days=days)


def window_text(params: Params) -> str:
    """ " in the last 7 days", or "" for all time."""
    days = params.get("within_days")
    if days is None:
        return ""
    return " " + _("in the last %(days)d days") % {"days": days}


# Params every campaign-scoped behaviour (received, opened, clicked, replied) takes.
def campaign_params(kinds: Callable[[], list[tuple[str, str]]]) -> tuple[Param, ...]:
    return (
        Param("campaign_id", ParamKind.ID, lambda: _("Campaign (id)")),
        Param("kind", ParamKind.CHOICE, lambda: _("or any campaign of the kind"), choices=kinds),
        Param("within_days", ParamKind.DAYS, lambda: _("Within the last (days)")),
    )


def campaign_check(params: Params, path: str) -> None:
    at_most_one(params, path, ("campaign_id", "kind"), required=False)


def campaign_filter(params: Params, *, campaign: str = "campaign") -> Q:
    """The leaf's campaign scope as a Q over a table with a `campaign` foreign key."""
    if "campaign_id" in params:
        return Q(**{f"{campaign}_id": params["campaign_id"]})
    if "kind" in params:
        return Q(**{f"{campaign}__kind": params["kind"]})
    return Q()


def campaign_text(params: Params, kinds: Callable[[], list[tuple[str, str]]]) -> str:
    if "campaign_id" in params:
        return _("campaign %(id)d") % {"id": params["campaign_id"]}
    if "kind" in params:
        label = dict(kinds()).get(params["kind"], params["kind"])
        return _("any campaign of the kind %(kind)s") % {"kind": label}
    return _("any campaign")
