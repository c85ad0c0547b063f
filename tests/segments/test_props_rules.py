"""The segment rule language over an event's props: checked with a path, matched by type."""

import pytest

from segments.exceptions import SegmentRulesInvalid
from segments.props_rules import props_rules_match, props_rules_parse


def _match(rules, props) -> bool:
    return props_rules_match(props_rules_parse(rules), props)


def test_numbers_compare_as_numbers_and_missing_props_match_nothing_but_negations():
    gte = {"field": "amount", "op": "gte", "value": 100}
    assert _match(gte, {"amount": 100})
    assert _match(gte, {"amount": 250.5})
    assert not _match(gte, {"amount": 99.99})
    assert not _match(gte, {"amount": "100"})  # a text is not a number
    assert not _match(gte, {})
    assert _match({"field": "amount", "op": "ne", "value": 5}, {})
    assert _match({"field": "amount", "op": "eq", "value": 100}, {"amount": 100.0})
    assert not _match({"field": "flag", "op": "eq", "value": 1}, {"flag": True})
    assert _match({"field": "amount", "op": "between", "value": [10, 20]}, {"amount": 20})
    assert not _match({"field": "amount", "op": "between", "value": [10, 20]}, {"amount": 21})


def test_groups_nested_paths_lists_and_is_set():
    rules = {
        "all": [
            {"field": "order.country", "op": "in", "value": ["MX", "CO"]},
            {"not": {"field": "tags", "op": "contains", "value": "test"}},
            {
                "any": [
                    {"field": "coupon", "op": "is_set", "value": False},
                    {"field": "vip", "op": "eq", "value": True},
                ]
            },
        ]
    }
    assert _match(rules, {"order": {"country": "MX"}, "tags": ["a"]})
    assert not _match(rules, {"order": {"country": "MX"}, "tags": ["test"]})
    assert not _match(rules, {"order": {"country": "AR"}})
    assert not _match(rules, {"order": {"country": "MX"}, "coupon": "X"})
    assert _match(rules, {"order": {"country": "MX"}, "coupon": "X", "vip": True})
    assert _match(
        {"field": "title", "op": "contains", "value": "vera"}, {"title": "Reto de verano"}
    )


@pytest.mark.parametrize(
    ("rules", "path"),
    [
        ([], ""),
        ({"field": "amount", "op": "near", "value": 1}, "op"),
        ({"field": "", "op": "eq", "value": 1}, "field"),
        ({"field": "a..b", "op": "eq", "value": 1}, "field"),
        ({"field": "amount", "op": "gte", "value": {"x": 1}}, "value"),
        ({"field": "amount", "op": "between", "value": [5, 1]}, "value"),
        ({"field": "amount", "op": "between", "value": [1, "z"]}, "value"),
        ({"field": "amount", "op": "in", "value": []}, "value"),
        ({"all": [{"field": "a", "op": "eq"}]}, "all[0]"),
        ({"all": [], "any": []}, "any"),
        ({"field": "a", "op": "eq", "value": 1, "extra": 2}, "extra"),
        ({"field": "a", "op": "is_set", "value": "yes"}, "value"),
    ],
)
def test_bad_rules_are_refused_with_their_path(rules, path):
    with pytest.raises(SegmentRulesInvalid) as refused:
        props_rules_parse(rules)
    assert refused.value.path == path
