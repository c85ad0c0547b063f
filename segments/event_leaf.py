"""Segment behaviour leaf `event`: performed event X at least / at most / exactly K times.

`{"behaviour": "event", "name": "sale_made", "count_gte": 2, "within_days": 30,
"where": {"field": "amount", "op": "gte", "value": 100}}` (one of `count_gte`, `count_lte`,
`count_eq`; none means at least once; `where` as in segments/props.py). Compiled to an
EXISTS (at least once, never) or a correlated COUNT over the creator's events, served by the
(creator, name, occurred_at) index; the window prunes the monthly partitions.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext as _

from events.models import Event
from segments.leaves import (
    Behaviour,
    Param,
    ParamKind,
    Params,
    at_most_one,
    behaviour_register,
    since,
    window_text,
)
from segments.props import props_q, props_text

COUNT_KEYS = ("count_gte", "count_lte", "count_eq")


def _count(params: Params) -> tuple[str, int]:
    for key in COUNT_KEYS:
        if key in params:
            return key, params[key]
    return "count_gte", 1


def event_counts(params: Params) -> bool:
    """Whether the leaf compiles to a COUNT per creator (not an EXISTS or its negation)."""
    key, times = _count(params)
    return times != 0 and not (key == "count_gte" and times == 1)


def event_q(params: Params, now: datetime) -> Q:
    events = Event.objects.filter(creator_id=OuterRef("pk"), name=params["name"])
    start = since(params, now)
    if start is not None:
        events = events.filter(occurred_at__gte=start)
    if "where" in params:
        events = events.filter(props_q(params["where"]))
    key, times = _count(params)
    if key == "count_gte" and times == 0:
        return Q(pk__isnull=False)
    if key == "count_gte" and times == 1:
        return Q(Exists(events))
    if times == 0:  # at most 0, exactly 0: never
        return ~Q(Exists(events))
    counted = Subquery(
        # COUNT(*): the (creator, name, occurred_at) index alone answers it.
        events.order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n"),
        output_field=IntegerField(),
    )
    compare = {"count_gte": GreaterThanOrEqual, "count_lte": LessThanOrEqual, "count_eq": Exact}
    return Q(compare[key](counted, Value(times)))


def _describe(params: Params) -> str:
    key, times = _count(params)
    template = {
        "count_gte": _("did %(name)s at least %(times)d times"),
        "count_lte": _("did %(name)s at most %(times)d times"),
        "count_eq": _("did %(name)s exactly %(times)d times"),
    }[key]
    text = template % {"name": params["name"], "times": times} + window_text(params)
    if "where" in params:
        text += " " + _("where %(props)s") % {"props": props_text(params["where"])}
    return text


def event_leaf_register() -> None:
    behaviour_register(
        Behaviour(
            name="event",
            label=lambda: _("Event"),
            params=(
                Param("name", ParamKind.NAME, lambda: _("Event name"), True),
                Param("count_gte", ParamKind.COUNT, lambda: _("At least (times)")),
                Param("count_lte", ParamKind.COUNT, lambda: _("or at most (times)")),
                Param("count_eq", ParamKind.COUNT, lambda: _("or exactly (times)")),
                Param("within_days", ParamKind.DAYS, lambda: _("Within the last (days)")),
                Param("where", ParamKind.PROPS, lambda: _("Where its props")),
            ),
            check=lambda params, path: at_most_one(params, path, COUNT_KEYS, required=False),
            compile=event_q,
            describe=_describe,
            aggregate=event_counts,
        )
    )
