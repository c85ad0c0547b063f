"""Invalid rules are refused before anything is saved, with the path of the bad node."""

import pytest

from segments.exceptions import SegmentRulesInvalid
from segments.models import Segment
from segments.services import segment_create, segment_update


def leaf(field, op, value):
    return {"field": field, "op": op, "value": value}


OK = leaf("level", "gte", 1)

CASES = [
    # (rules, path, words the message must contain)
    ([], "", "expected an object"),
    ({}, "", "empty rule"),
    (
        {"all": [OK, OK, {"any": [leaf("level", "gte", "3")]}]},
        "all[2].any[0].value",
        "whole number",
    ),
    ({"all": [OK, {"any": [OK, leaf("levle", "eq", 1)]}]}, "all[1].any[1].field", "unknown field"),
    ({"any": [leaf("state", "gt", "JAL")]}, "any[0].op", '"gt" does not apply'),
    ({"not": leaf("level", "like", 1)}, "not.op", "unknown op"),
    ({"not": {"field": "level", "op": "eq"}}, "not", 'missing "value"'),
    (
        {"all": [{"field": "level", "op": "eq", "value": 1, "extra": 2}]},
        "all[0].extra",
        "unknown key",
    ),
    ({"all": OK}, "all", "expected a list"),
    ({"all": [OK], "any": [OK]}, "any", "exactly one key"),
    ({"all": [OK, "level >= 2"]}, "all[1]", "expected an object"),
    (leaf("level", "eq", 8), "value", "from 0 to 7"),
    (leaf("level", "eq", True), "value", "whole number"),
    (leaf("followers", "gt", -1), "value", "at least 0"),
    (leaf("gmv_30d", "gt", "lots"), "value", "expected a number"),
    (leaf("gmv_30d", "gt", "NaN"), "value", "expected a number"),
    (leaf("locale", "eq", "fr"), "value", '"fr" is not one of es-MX, en'),
    # "yes" is read as the importer reads it (granted); "maybe" is no consent value at all.
    (leaf("consent_whatsapp", "in", ["granted", "maybe"]), "value[1]", '"maybe" is not one of'),
    (leaf("consent_email", "is_set", True), "op", '"is_set" does not apply'),
    (leaf("state", "in", []), "value", "list of 1 to"),
    (leaf("state", "in", "JAL"), "value", "expected a list"),
    (leaf("state", "eq", 3), "value", "expected text"),
    (leaf("state", "eq", "x" * 65), "value", "longer than 64"),
    (leaf("level", "between", [5, 2]), "value", "low is greater than high"),
    (leaf("level", "between", [1]), "value", "[low, high]"),
    (leaf("last_active_at", "gt", "yesterday"), "value", "ISO 8601"),
    (leaf("last_active_at", "between", ["2026-05-02", "2026-05-01"]), "value", "low is greater"),
    (leaf("last_active_at", "eq", "2026-05-01"), "op", '"eq" does not apply'),
    (leaf("last_active_at", "within_days", 0), "value", "whole number of days"),
    (leaf("last_active_at", "not_within_days", "30"), "value", "whole number of days"),
    (leaf("last_active_at", "is_set", "yes"), "value", "true or false"),
    (leaf("tags", "contains", []), "value", "non-empty list of tags"),
    (leaf("tags", "contains", ["vip", 3]), "value[1]", "non-empty text tag"),
    (leaf("tags", "eq", "vip"), "op", '"eq" does not apply'),
    (leaf("level", "contains", 3), "op", '"contains" does not apply'),
    (leaf("id", "eq", 1), "field", "unknown field"),
]


@pytest.mark.parametrize("rules,path,words", CASES, ids=[c[1] + ":" + c[2] for c in CASES])
def test_invalid_rules_point_at_the_bad_node(db, rules, path, words):
    with pytest.raises(SegmentRulesInvalid) as caught:
        segment_create(name="bad", rules=rules)
    assert caught.value.path == path
    assert words in str(caught.value)
    if path:
        assert str(caught.value).startswith(f"{path}: ")
    assert not Segment.objects.exists()


def test_rules_nested_too_deep_are_refused(db):
    rules = OK
    for _ in range(20):
        rules = {"not": rules}
    with pytest.raises(SegmentRulesInvalid) as caught:
        segment_create(name="deep", rules=rules)
    assert caught.value.path == ".".join(["not"] * 17)
    assert "nest too deep" in str(caught.value)


def test_too_many_rules_are_refused(db):
    with pytest.raises(SegmentRulesInvalid) as caught:
        segment_create(name="big", rules={"any": [OK] * 600})
    assert caught.value.path == "any[499]"


def test_update_with_bad_rules_keeps_the_old_ones(db):
    segment = segment_create(name="ok", rules=OK)
    with pytest.raises(SegmentRulesInvalid):
        segment_update(segment=segment, rules={"all": [leaf("level", "gte", "x")]})
    segment.refresh_from_db()
    assert segment.rules == OK
