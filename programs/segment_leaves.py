"""Segment behaviour leaves `enrolled` and `metric`, registered from ProgramsConfig.ready().

`{"behaviour": "enrolled", "program_id": N | "active": true, "within_days": D?}`: enrolled in
the program, or in any active program (its campaign launched, neither draft nor cancelled,
and today between its first and last day), enrolled within the window when given.

`{"behaviour": "metric", "metric": "gmv", "aggregate": "sum"|"avg"|"change",
"within_days": N, "op": "gte"|"gt"|"lte"|"lt"|"eq", "value": X}` compares the creator's daily
values of the last N days (today included, days in the project time zone): their sum (no
rows: 0), their average (no rows: no match), or `change`, the sum's change in percent against
the N days before (`-30`: down 30%; no match when the previous sum is 0).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    DecimalField,
    Exists,
    ExpressionWrapper,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from programs.models import CreatorMetric, Enrolment, Metric
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

_AMOUNT = DecimalField(max_digits=30, decimal_places=6)
_COMPARE: dict[str, Any] = {
    "gt": GreaterThan,
    "gte": GreaterThanOrEqual,
    "lt": LessThan,
    "lte": LessThanOrEqual,
    "eq": Exact,
}


def enrolled_q(params: Params, now: datetime) -> Q:
    enrolments = Enrolment.objects.filter(creator_id=OuterRef("pk"))
    if "program_id" in params:
        enrolments = enrolments.filter(program_id=params["program_id"])
    else:
        today = timezone.localdate(now)
        enrolments = enrolments.filter(
            program__starts_on__lte=today, program__ends_on__gte=today
        ).exclude(program__campaign__status__in=[Campaign.Status.DRAFT, Campaign.Status.CANCELLED])
    start = since(params, now)
    if start is not None:
        enrolments = enrolments.filter(enrolled_at__gte=start)
    return Q(Exists(enrolments))


def _enrolled_text(params: Params) -> str:
    if "program_id" in params:
        text = _("enrolled in program %(id)d") % {"id": params["program_id"]}
    else:
        text = _("enrolled in an active program")
    return text + window_text(params)


def _period_sum(metric: str, first: Any, last: Any, aggregate: str = "sum") -> Subquery:
    rows = CreatorMetric.objects.filter(
        creator_id=OuterRef("pk"), metric=metric, date__gte=first, date__lte=last
    )
    function = Sum("value") if aggregate == "sum" else Avg("value")
    return Subquery(
        rows.values("creator_id").annotate(total=function).values("total"),
        output_field=_AMOUNT,
    )


def metric_q(params: Params, now: datetime) -> Q:
    metric, aggregate, days = params["metric"], params["aggregate"], params["within_days"]
    today = timezone.localdate(now)
    first = today - timedelta(days=days - 1)
    value = Value(params["value"], output_field=_AMOUNT)
    if aggregate == "avg":
        figure: Any = _period_sum(metric, first, today, "avg")
    elif aggregate == "sum":
        figure = Coalesce(
            _period_sum(metric, first, today), Value(Decimal(0)), output_field=_AMOUNT
        )
    else:
        current = Coalesce(
            _period_sum(metric, first, today), Value(Decimal(0)), output_field=_AMOUNT
        )
        before = NullIf(
            _period_sum(metric, first - timedelta(days=days), first - timedelta(days=1)),
            Value(Decimal(0)),
            output_field=_AMOUNT,
        )
        figure = ExpressionWrapper(
            (current - before) * Value(Decimal(100)) / Func(before, function="ABS"),
            output_field=_AMOUNT,
        )
    # No figure (no rows for an average, a previous sum of 0) is no match, and stays one
    # under `not`: NOT of a NULL comparison would drop the creator from both sides.
    return Q(Coalesce(_COMPARE[params["op"]](figure, value), Value(False)))


def _metrics() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Metric.choices]


def _aggregates() -> list[tuple[str, str]]:
    return [
        ("sum", _("total")),
        ("avg", _("daily average")),
        ("change", _("change in % against the previous period")),
    ]


def _ops() -> list[tuple[str, str]]:
    return [
        ("gte", _("is at least")),
        ("gt", _("is more than")),
        ("lte", _("is at most")),
        ("lt", _("is less than")),
        ("eq", _("is")),
    ]


def _metric_text(params: Params) -> str:
    values = {
        "metric": dict(_metrics()).get(params["metric"], params["metric"]),
        "days": params["within_days"],
        "op": dict(_ops())[params["op"]],
        "value": params["value"],
    }
    if params["aggregate"] == "change":
        template = _(
            "%(metric)s of the last %(days)d days against the %(days)d days before "
            "%(op)s %(value)s%%"
        )
    elif params["aggregate"] == "avg":
        template = _("daily average of %(metric)s over the last %(days)d days %(op)s %(value)s")
    else:
        template = _("total %(metric)s over the last %(days)d days %(op)s %(value)s")
    return template % values


def segment_leaves_register() -> None:
    behaviour_register(
        Behaviour(
            name="enrolled",
            label=lambda: _("Enrolled"),
            params=(
                Param("program_id", ParamKind.ID, lambda: _("Program (id)")),
                Param("active", ParamKind.TRUE, lambda: _("or any active program")),
                Param("within_days", ParamKind.DAYS, lambda: _("Within the last (days)")),
            ),
            check=lambda params, path: at_most_one(
                params, path, ("program_id", "active"), required=True
            ),
            compile=enrolled_q,
            describe=_enrolled_text,
        )
    )
    behaviour_register(
        Behaviour(
            name="metric",
            label=lambda: _("Metric"),
            params=(
                Param("metric", ParamKind.CHOICE, lambda: _("Metric"), True, _metrics),
                Param("aggregate", ParamKind.CHOICE, lambda: _("Figure"), True, _aggregates),
                Param("within_days", ParamKind.DAYS, lambda: _("Over the last (days)"), True),
                Param("op", ParamKind.CHOICE, lambda: _("Comparison"), True, _ops),
                Param("value", ParamKind.NUMBER, lambda: _("Value"), True),
            ),
            compile=metric_q,
            describe=_metric_text,
            # Sums / averages per creator: tested after the other leaves of an `all`.
            aggregate=lambda params: True,
        )
    )
