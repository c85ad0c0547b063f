"""An independent reading of the rule language in plain Python, for checking the SQL compiler.

It evaluates rules over creators fetched as `values()` dicts and shares no code with
segments.rules: dates are compared as calendar days in the project time zone, where the
compiler compares instants against day boundaries.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone


def _moment(value: str) -> tuple[str, Any]:
    """('day', date) for a date-only value, ('instant', aware datetime) otherwise."""
    if len(value) == 10:
        return "day", date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return "instant", moment


def _compare_dates(actual: datetime | None, op: str, raw: Any) -> bool:
    if actual is None:
        return False
    if op == "between":
        return _compare_dates(actual, "gte", raw[0]) and _compare_dates(actual, "lte", raw[1])
    kind, bound = _moment(raw)
    left = timezone.localtime(actual).date() if kind == "day" else actual
    return {
        "gt": left > bound,
        "gte": left >= bound,
        "lt": left < bound,
        "lte": left <= bound,
    }[op]


def _number(field: str, value: Any) -> Any:
    return Decimal(str(value)) if field == "gmv_30d" else value


def leaf_matches(row: dict[str, Any], field: str, op: str, value: Any, now: datetime) -> bool:
    actual = row[field]
    if op == "is_set":
        present = actual is not None and actual != "" and actual != []
        return present if value else not present
    if op == "contains":
        wanted = [value] if isinstance(value, str) else value
        return all(tag in actual for tag in wanted)
    if op == "within_days":
        return actual is not None and actual >= now - timedelta(days=value)
    if op == "not_within_days":
        return actual is None or actual < now - timedelta(days=value)
    if isinstance(actual, datetime) or field in ("joined_at", "last_active_at"):
        return _compare_dates(actual, op, value)
    if op == "eq":
        return actual == _number(field, value)
    if op == "ne":
        return actual != _number(field, value)
    if op == "in":
        return actual in [_number(field, item) for item in value]
    if op == "not_in":
        return actual not in [_number(field, item) for item in value]
    if op == "between":
        return _number(field, value[0]) <= actual <= _number(field, value[1])
    bound = _number(field, value)
    return {
        "gt": actual > bound,
        "gte": actual >= bound,
        "lt": actual < bound,
        "lte": actual <= bound,
    }[op]


def matches(row: dict[str, Any], rules: dict[str, Any], now: datetime) -> bool:
    if "all" in rules:
        return all(matches(row, child, now) for child in rules["all"])
    if "any" in rules:
        return any(matches(row, child, now) for child in rules["any"])
    if "not" in rules:
        return not matches(row, rules["not"], now)
    return leaf_matches(row, rules["field"], rules["op"], rules["value"], now)


def handles_matching(rows: list[dict[str, Any]], rules: dict[str, Any], now: datetime) -> set[str]:
    return {row["handle"] for row in rows if matches(row, rules, now)}
