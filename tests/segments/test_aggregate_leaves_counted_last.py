"""Per-creator aggregate leaves (an event count, a metric sum) are tested only on the creators
the other leaves of their `all` select (`id IN (...) AND count`), and select exactly what a
Python recount picks, alone, under `not` and inside `any`; segment_count runs with JIT off
and hands the caller's transaction its own setting back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from creators.models import Creator
from segments.models import Segment
from segments.rules import rules_compile
from segments.selectors import segment_count
from tests.segments import test_behaviour_leaves as behaviour_leaves
from tests.segments.test_behaviour_leaves import NOW, _selected, recount

world = behaviour_leaves.world  # the same creators, deliveries, events and metrics
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

OPENED = {"behaviour": "opened", "kind": "announcement", "within_days": 30}
SALES = {"behaviour": "event", "name": "sale_made", "count_gte": 2}
SALES_30 = {"behaviour": "event", "name": "sale_made", "count_gte": 2, "within_days": 30}
FEW_SALES = {"behaviour": "event", "name": "sale_made", "count_lte": 1}
GMV = {"behaviour": "metric", "metric": "gmv", "aggregate": "sum", "within_days": 7,
       "op": "gte", "value": 300}  # fmt: skip
LEVEL = {"field": "level", "op": "gte", "value": 1}


def _level_at_least_1() -> set[int]:
    return set(Creator.objects.filter(level__gte=1).values_list("id", flat=True))


def _everyone() -> set[int]:
    return set(Creator.objects.values_list("id", flat=True))


def _expected(leaves: list[dict[str, Any]]) -> set[int]:
    expected = _everyone()
    for leaf in leaves:
        expected &= _level_at_least_1() if "field" in leaf else recount(leaf)
    return expected


@pytest.mark.parametrize(
    "leaves",
    [
        [LEVEL, OPENED, SALES],
        [SALES, LEVEL, GMV],
        [OPENED, FEW_SALES],
        [LEVEL, GMV],
        [SALES_30, LEVEL],
    ],
)
def test_an_all_with_aggregate_leaves_matches_the_recount(leaves):
    expected = _expected(leaves)
    assert 0 < len(expected) < len(_everyone()), "a vacuous case"
    assert _selected({"all": leaves}) == expected
    assert _selected({"not": {"all": leaves}}) == _everyone() - expected
    either = {"any": [{"all": leaves}, {"field": "level", "op": "eq", "value": 0}]}
    level_0 = set(Creator.objects.filter(level=0).values_list("id", flat=True))
    assert _selected(either) == expected | level_0


def _in_set(sql: str) -> tuple[str, str]:
    """The `id IN (SELECT ...)` sub-select of `sql`, and the rest of the statement."""
    start = sql.index('"creators_creator"."id" IN (SELECT')
    opening = sql.index("(", start)
    depth = 0
    for position in range(opening, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[position], 0)
        if depth == 0:
            return sql[opening : position + 1], sql[:start] + sql[position + 1 :]
    raise AssertionError("unbalanced SQL")


def test_aggregates_are_counted_outside_the_set_the_other_leaves_select():
    rules = {"all": [SALES, LEVEL, {"not": OPENED}, GMV]}
    sql = str(Creator.objects.filter(rules_compile(rules, now=NOW)).query)
    narrowed, rest = _in_set(sql)
    assert '"level" >= 1' in narrowed and "NOT (EXISTS" in narrowed
    assert "COUNT(" not in narrowed and "programs_creatormetric" not in narrowed
    assert "events_event" in rest and "programs_creatormetric" in rest


@pytest.mark.parametrize(
    "leaves",
    [
        [LEVEL, OPENED, {"behaviour": "event", "name": "sale_made"}],  # EXISTS, no count
        [SALES, LEVEL, GMV],  # beside columns alone the counts already run last
    ],
)
def test_without_an_aggregate_beside_a_behaviour_the_all_compiles_in_place(leaves):
    sql = str(Creator.objects.filter(rules_compile({"all": leaves}, now=NOW)).query)
    assert " IN (SELECT" not in sql
    assert _selected({"all": leaves}) == _expected(leaves)


def test_segment_count_runs_with_jit_off_and_restores_the_setting():
    segment = Segment(name="b", kind=Segment.Kind.DYNAMIC, rules={"all": [LEVEL, OPENED, SALES]})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = on")
        with CaptureQueriesContext(connection) as queries:
            count = segment_count(segment, now=NOW)
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
    statements = [query["sql"] for query in queries.captured_queries]
    counting = next(i for i, sql in enumerate(statements) if "COUNT(*)" in sql)
    assert "set_config('jit', 'off', true)" in statements[counting - 1]
    assert count == len(_expected([LEVEL, OPENED, SALES]))


def test_a_derived_field_beside_an_aggregate_also_narrows_first():
    replied = {"field": "whatsapp_replied_at", "op": "within_days", "value": 60}
    leaves = [replied, SALES]
    sql = str(Creator.objects.filter(rules_compile({"all": leaves}, now=NOW)).query)
    narrowed, rest = _in_set(sql)
    assert "conversations_message" in narrowed and "events_event" in rest
    # Each leaf alone compiles in place (checked against recounts elsewhere): the AND of
    # their selections is the oracle.
    expected = _selected(replied) & recount(SALES)
    assert 0 < len(expected)
    assert _selected({"all": leaves}) == expected
    assert _selected({"not": {"all": leaves}}) == _everyone() - expected
