"""Every op, and nested all/any/not, selects exactly the creators an independent evaluator picks."""

import pytest

from segments.models import Segment
from segments.selectors import segment_count, segment_creators
from tests.segments.conftest import NOW
from tests.segments.oracle import handles_matching


def leaf(field, op, value):
    return {"field": field, "op": op, "value": value}


LEAVES = [
    # text
    leaf("handle", "eq", "c0005"),
    leaf("handle", "in", ["c0001", "c0002", "nobody"]),
    leaf("name", "ne", "Creator 7"),
    leaf("email", "is_set", True),
    leaf("email", "is_set", False),
    leaf("phone", "is_set", False),
    leaf("state", "in", ["JAL", "NLE"]),
    leaf("state", "not_in", ["JAL", "NLE", ""]),
    leaf("state", "eq", ""),
    leaf("state", "is_set", True),
    leaf("category", "ne", "belleza"),
    leaf("market", "ne", "MX"),
    leaf("timezone", "eq", "America/Tijuana"),
    # choices, consent per channel
    leaf("locale", "eq", "en"),
    leaf("locale", "ne", "en"),
    leaf("content_type", "in", ["live", "both"]),
    leaf("content_type", "not_in", ["video"]),
    leaf("consent_email", "eq", "granted"),
    leaf("consent_email", "ne", "denied"),
    leaf("consent_whatsapp", "eq", "unknown"),
    leaf("consent_whatsapp", "not_in", ["denied"]),
    leaf("consent_push", "in", ["denied", "unknown"]),
    leaf("consent_inbox", "eq", "denied"),
    # integers
    leaf("level", "eq", 0),
    leaf("level", "ne", 0),
    leaf("level", "in", [1, 2]),
    leaf("level", "not_in", [0, 1]),
    leaf("level", "gt", 2),
    leaf("level", "gte", 2),
    leaf("level", "lt", 1),
    leaf("level", "lte", 1),
    leaf("level", "between", [1, 3]),
    leaf("followers", "gt", 1000),
    leaf("followers", "between", [100, 5000]),
    # decimal
    leaf("gmv_30d", "eq", 0),
    leaf("gmv_30d", "ne", "0"),
    leaf("gmv_30d", "gt", "100.50"),
    leaf("gmv_30d", "gte", 100),
    leaf("gmv_30d", "lt", 1000.25),
    leaf("gmv_30d", "lte", "25000"),
    leaf("gmv_30d", "between", ["10", 5000]),
    leaf("gmv_30d", "in", [0, "0.00"]),
    # dates: whole days in the project time zone, instants, NULLs
    leaf("last_active_at", "gt", "2026-05-01"),
    leaf("last_active_at", "gte", "2026-05-01"),
    leaf("last_active_at", "lt", "2026-05-01"),
    leaf("last_active_at", "lte", "2026-05-01"),
    leaf("last_active_at", "between", ["2026-04-01", "2026-05-01"]),
    leaf("last_active_at", "gt", "2026-05-01T00:00:00-06:00"),
    leaf("last_active_at", "lte", "2026-05-01T00:00:00"),
    leaf("last_active_at", "gte", "2026-05-01T06:00:00Z"),
    leaf("last_active_at", "is_set", True),
    leaf("last_active_at", "is_set", False),
    leaf("last_active_at", "within_days", 30),
    leaf("last_active_at", "not_within_days", 30),
    leaf("joined_at", "within_days", 365),
    leaf("joined_at", "not_within_days", 365),
    leaf("joined_at", "is_set", False),
    leaf("joined_at", "between", ["2024-01-01", "2025-12-31T23:59:59-06:00"]),
    # tags
    leaf("tags", "contains", "vip"),
    leaf("tags", "contains", ["vip", "beta"]),
    leaf("tags", "is_set", True),
    leaf("tags", "is_set", False),
]

GROUPS = [
    {"not": leaf("last_active_at", "gt", "2026-05-01")},  # NULL dates land in the complement
    {"not": leaf("tags", "contains", "vip")},
    {"not": leaf("joined_at", "not_within_days", 365)},
    {
        "all": [
            leaf("locale", "eq", "es-MX"),
            leaf("level", "gte", 1),
            {
                "any": [
                    leaf("consent_whatsapp", "eq", "granted"),
                    leaf("consent_push", "eq", "granted"),
                ]
            },
            {"not": leaf("tags", "contains", "beta")},
        ]
    },
    {
        "any": [
            {"all": [leaf("state", "eq", "JAL"), leaf("gmv_30d", "gt", 1000)]},
            {
                "not": {
                    "any": [leaf("consent_email", "eq", "granted"), leaf("tags", "is_set", True)]
                }
            },
            {"all": [leaf("last_active_at", "not_within_days", 90), leaf("level", "lt", 2)]},
        ]
    },
    {"not": {"not": {"all": [leaf("tags", "contains", "nuevo"), leaf("email", "is_set", True)]}}},
    {
        "all": [
            leaf("level", "gt", 0),
            {"any": [{"all": [{"not": {"any": [leaf("category", "eq", "moda")]}}]}]},
        ]
    },
]

# Vacuous groups: an empty all is everyone, an empty any no one.
EMPTY_GROUPS = [
    ({"all": []}, "everyone"),
    ({"any": []}, "no one"),
    ({"not": {"all": []}}, "no one"),
    ({"not": {"any": []}}, "everyone"),
    ({"all": [leaf("level", "gte", 2), {"any": []}]}, "no one"),
    ({"any": [leaf("level", "gte", 2), {"all": []}]}, "everyone"),
]


def _rule_id(rule) -> str:
    if "field" in rule:
        return f"{rule['field']}-{rule['op']}-{rule['value']}"
    return str(rule)[:60]


def _selected(rules) -> set[str]:
    segment = Segment(name="t", kind=Segment.Kind.DYNAMIC, rules=rules)
    return set(segment_creators(segment, now=NOW).values_list("handle", flat=True))


@pytest.mark.parametrize("rules", LEAVES + GROUPS, ids=_rule_id)
def test_segment_selects_what_independent_evaluation_selects(varied_creators, rules):
    expected = handles_matching(varied_creators, rules, NOW)
    # Every case splits the creators: a rule matching all or none would prove little.
    assert 0 < len(expected) < len(varied_creators)
    assert _selected(rules) == expected
    segment = Segment(name="t", kind=Segment.Kind.DYNAMIC, rules=rules)
    assert segment_count(segment, now=NOW) == len(expected)


@pytest.mark.parametrize("rules,who", EMPTY_GROUPS, ids=[str(r) for r, _ in EMPTY_GROUPS])
def test_empty_groups_are_vacuous(varied_creators, rules, who):
    expected = {row["handle"] for row in varied_creators} if who == "everyone" else set()
    assert handles_matching(varied_creators, rules, NOW) == expected
    assert _selected(rules) == expected


def test_the_test_creators_cover_the_edges(varied_creators):
    assert any(row["last_active_at"] is None for row in varied_creators)
    assert any(row["joined_at"] is None for row in varied_creators)
    assert any(row["tags"] == [] for row in varied_creators)
    for field in ("consent_email", "consent_whatsapp", "consent_push"):
        assert {row[field] for row in varied_creators} == {"granted", "denied", "unknown"}
    assert {row["consent_inbox"] for row in varied_creators} == {"granted", "denied"}
