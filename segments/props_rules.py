"""The segment rule language applied to an event's `props` (a JSON object) instead of a creator.

Same shape as segments/rules.py: `{"all": [...]}`, `{"any": [...]}`, `{"not": {...}}` or a leaf
`{"field": F, "op": OP, "value": V}`, where F names a key of `props` (a dotted path reaches
into nested objects: `"order.amount"`). Props have no schema, so the value's type decides:
`gt`/`gte`/`lt`/`lte`/`between` compare numbers (or texts with texts), `eq`/`ne`/`in`/`not_in`
compare as written (1 equals 1.0), `contains` tests a list prop for a value (or a text prop
for a substring), `is_set` whether the key is there and not null. A missing prop matches
nothing but `ne`, `not_in` and `is_set: false`. Used by triggered campaigns
(campaigns/triggers.py, docs/triggers.md); `props_rules_parse` raises SegmentRulesInvalid
with the path of the first bad node, as `rules_parse` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from segments.exceptions import SegmentRulesInvalid
from segments.rules import MAX_DEPTH, MAX_LIST, MAX_NODES, Op

PROPS_OPS = (
    Op.EQ,
    Op.NE,
    Op.IN,
    Op.NOT_IN,
    Op.GT,
    Op.GTE,
    Op.LT,
    Op.LTE,
    Op.BETWEEN,
    Op.CONTAINS,
    Op.IS_SET,
)
MAX_FIELD = 200
_MISSING = object()


@dataclass(frozen=True)
class PropsLeaf:
    path: tuple[str, ...]
    op: Op
    value: Any


@dataclass(frozen=True)
class PropsGroup:
    kind: str  # "all", "any" or "not"
    children: tuple[PropsNode, ...]


PropsNode = PropsLeaf | PropsGroup


def _join(path: str, key: str) -> str:
    if key.startswith("["):
        return f"{path}{key}"
    return f"{path}.{key}" if path else key


def _scalar_ok(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


class _Parser:
    def __init__(self) -> None:
        self.nodes = 0

    def node(self, raw: Any, path: str, depth: int) -> PropsNode:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SegmentRulesInvalid(
                path, _("too many rules (at most %(max)d nodes)") % {"max": MAX_NODES}
            )
        if depth > MAX_DEPTH:
            raise SegmentRulesInvalid(
                path, _("rules nest too deep (at most %(max)d levels)") % {"max": MAX_DEPTH}
            )
        if not isinstance(raw, dict):
            raise SegmentRulesInvalid(
                path,
                _(
                    'expected an object: {"all": [...]}, {"any": [...]}, {"not": {...}} '
                    'or {"field": ..., "op": ..., "value": ...}'
                ),
            )
        groups = [key for key in ("all", "any", "not") if key in raw]
        if not groups:
            return self.leaf(raw, path)
        if len(raw) != 1:
            extra = sorted(str(key) for key in raw if key != groups[0])[0]
            raise SegmentRulesInvalid(
                _join(path, extra),
                _('a group takes exactly one key ("all", "any" or "not"), found "%(key)s"')
                % {"key": extra},
            )
        key = groups[0]
        inner, inner_path = raw[key], _join(path, key)
        if key == "not":
            return PropsGroup("not", (self.node(inner, inner_path, depth + 1),))
        if not isinstance(inner, list):
            raise SegmentRulesInvalid(inner_path, _("expected a list of rules"))
        return PropsGroup(
            key,
            tuple(
                self.node(child, _join(inner_path, f"[{index}]"), depth + 1)
                for index, child in enumerate(inner)
            ),
        )

    def leaf(self, raw: dict[str, Any], path: str) -> PropsLeaf:
        for key in raw:
            if key not in ("field", "op", "value"):
                raise SegmentRulesInvalid(
                    _join(path, str(key)),
                    _('unknown key "%(key)s": a rule has "field", "op" and "value"') % {"key": key},
                )
        for key in ("field", "op", "value"):
            if key not in raw:
                raise SegmentRulesInvalid(path, _('missing "%(key)s"') % {"key": key})
        field, op_name, value = raw["field"], raw["op"], raw["value"]
        if (
            not isinstance(field, str)
            or not field
            or len(field) > MAX_FIELD
            or "" in field.split(".")
        ):
            raise SegmentRulesInvalid(
                _join(path, "field"), _("expected the name of a property, such as amount")
            )
        allowed = ", ".join(op.value for op in PROPS_OPS)
        if op_name not in {op.value for op in PROPS_OPS}:
            raise SegmentRulesInvalid(
                _join(path, "op"),
                _('unknown op "%(op)s"; known ops: %(ops)s') % {"op": op_name, "ops": allowed},
            )
        op = Op(op_name)
        return PropsLeaf(tuple(field.split(".")), op, self.value(op, value, _join(path, "value")))

    def value(self, op: Op, value: Any, path: str) -> Any:
        if op is Op.IS_SET:
            if not isinstance(value, bool):
                raise SegmentRulesInvalid(path, _("expected true or false"))
            return value
        if op in (Op.IN, Op.NOT_IN, Op.BETWEEN):
            if not isinstance(value, list):
                raise SegmentRulesInvalid(path, _("expected a list"))
            if op is Op.BETWEEN and len(value) != 2:
                raise SegmentRulesInvalid(path, _("expected a list [low, high]"))
            if not value or len(value) > MAX_LIST:
                raise SegmentRulesInvalid(
                    path, _("expected a list of 1 to %(max)d values") % {"max": MAX_LIST}
                )
            for index, item in enumerate(value):
                self.scalar(op, item, _join(path, f"[{index}]"))
            if op is Op.BETWEEN:
                low, high = value
                order = _compare(low, high)
                if order is None:
                    raise SegmentRulesInvalid(path, _("low and high must both be numbers or texts"))
                if order > 0:
                    raise SegmentRulesInvalid(path, _("low is greater than high"))
            return tuple(value)
        return self.scalar(op, value, path)

    def scalar(self, op: Op, value: Any, path: str) -> Any:
        if op in (Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN):
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise SegmentRulesInvalid(path, _("expected a number or a text"))
            return value
        if not _scalar_ok(value):
            raise SegmentRulesInvalid(path, _("expected a text, number, true, false or null"))
        return value


def props_rules_parse(rules: Any) -> PropsNode:
    """Check a rule tree over props; raise SegmentRulesInvalid at the first bad node."""
    return _Parser().node(rules, "", 0)


def _lookup(props: Any, path: tuple[str, ...]) -> Any:
    value = props
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _same(left: Any, right: Any) -> bool:
    # JSON has one number type: 100 and 100.0 are equal, true is not 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return Decimal(str(left)) == Decimal(str(right))
    return bool(left == right)


def _compare(value: Any, bound: Any) -> int | None:
    """-1, 0, 1 for value against bound, or None when they cannot be compared."""
    if isinstance(value, bool) or value is _MISSING or value is None:
        return None
    if isinstance(bound, str) != isinstance(value, str):
        return None
    if isinstance(value, str):
        return (value > bound) - (value < bound)
    if not isinstance(value, int | float):
        return None
    left, right = Decimal(str(value)), Decimal(str(bound))
    return (left > right) - (left < right)


def _leaf_matches(leaf: PropsLeaf, props: Any) -> bool:
    value = _lookup(props, leaf.path)
    op = leaf.op
    if op is Op.IS_SET:
        return (value is not _MISSING and value is not None) is leaf.value
    if op is Op.NE:
        return value is _MISSING or not _same(value, leaf.value)
    if op is Op.NOT_IN:
        return value is _MISSING or not any(_same(value, item) for item in leaf.value)
    if value is _MISSING:
        return False
    if op is Op.EQ:
        return _same(value, leaf.value)
    if op is Op.IN:
        return any(_same(value, item) for item in leaf.value)
    if op is Op.CONTAINS:
        if isinstance(value, list):
            return any(_same(item, leaf.value) for item in value)
        return isinstance(value, str) and isinstance(leaf.value, str) and leaf.value in value
    if op is Op.BETWEEN:
        low, high = _compare(value, leaf.value[0]), _compare(value, leaf.value[1])
        return low is not None and high is not None and low >= 0 and high <= 0
    order = _compare(value, leaf.value)
    if order is None:
        return False
    return {Op.GT: order > 0, Op.GTE: order >= 0, Op.LT: order < 0, Op.LTE: order <= 0}[op]


def props_rules_match(node: PropsNode, props: Any) -> bool:
    """Whether an event's props meet a parsed rule tree (an empty `all` matches everything)."""
    if isinstance(node, PropsLeaf):
        return _leaf_matches(node, props)
    if node.kind == "not":
        return not props_rules_match(node.children[0], props)
    if node.kind == "all":
        return all(props_rules_match(child, props) for child in node.children)
    return any(props_rules_match(child, props) for child in node.children)
