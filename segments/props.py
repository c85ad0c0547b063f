"""Conditions on an event's props inside an `event` behaviour leaf, compiled to SQL.

`where` is a rule tree like a segment's (`all` / `any` / `not` groups) whose leaves name a
prop: `{"field": "amount", "op": "gte", "value": 100}`. Each leaf becomes a
`jsonb_path_exists(props, '$."amount" ? (@ >= $v)', '{"v": 100}')` test: values travel as
jsonpath variables, never as SQL text, and a prop of another type (text against a number)
simply does not match instead of failing the statement. `ne` and `not_in` also match events
without the prop (they are NOT `eq` / NOT `in`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Expression, F, Q
from django.utils.translation import gettext as _

from common.schemas import unstorable_text_find
from segments.exceptions import SegmentRulesInvalid

PROP_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
PROP_OPS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "is_set")
MAX_PROP_NODES = 50
MAX_PROP_LIST = 100
_COMPARE = {"eq": "==", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass(frozen=True)
class PropLeaf:
    prop: str
    op: str
    value: Any


@dataclass(frozen=True)
class PropGroup:
    match: str  # all | any | not
    children: tuple[PropNode, ...]


PropNode = PropLeaf | PropGroup


def _join(path: str, key: str) -> str:
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"


def _scalar(value: Any, path: str, *, ordered: bool) -> Any:
    if ordered:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise SegmentRulesInvalid(path, _("expected a number or a text"))
    elif value is not None and not isinstance(value, bool | int | float | str):
        raise SegmentRulesInvalid(path, _("expected a text, a number, true, false or null"))
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise SegmentRulesInvalid(path, _("expected a number"))
    if isinstance(value, str) and unstorable_text_find(value) is not None:
        raise SegmentRulesInvalid(path, _("text with a NUL or an unpaired surrogate"))
    return value


class _Parser:
    def __init__(self) -> None:
        self.nodes = 0

    def node(self, raw: Any, path: str) -> PropNode:
        self.nodes += 1
        if self.nodes > MAX_PROP_NODES:
            raise SegmentRulesInvalid(
                path, _("too many prop conditions (at most %(max)d)") % {"max": MAX_PROP_NODES}
            )
        if not isinstance(raw, dict):
            raise SegmentRulesInvalid(
                path,
                _('expected {"field": <prop>, "op": ..., "value": ...} or an all/any/not group'),
            )
        for match in ("all", "any", "not"):
            if match in raw:
                if len(raw) != 1:
                    raise SegmentRulesInvalid(
                        path, _("a group takes exactly one key (all, any or not)")
                    )
                inner = raw[match]
                if match == "not":
                    return PropGroup("not", (self.node(inner, _join(path, "not")),))
                if not isinstance(inner, list):
                    raise SegmentRulesInvalid(_join(path, match), _("expected a list of rules"))
                return PropGroup(
                    match,
                    tuple(
                        self.node(child, _join(_join(path, match), f"[{index}]"))
                        for index, child in enumerate(inner)
                    ),
                )
        return self.leaf(raw, path)

    def leaf(self, raw: dict[str, Any], path: str) -> PropLeaf:
        for key in raw:
            if key not in ("field", "op", "value"):
                raise SegmentRulesInvalid(
                    _join(path, str(key)),
                    _('unknown key "%(key)s": a rule has "field", "op" and "value"') % {"key": key},
                )
        for key in ("field", "op", "value"):
            if key not in raw:
                raise SegmentRulesInvalid(path, _('missing "%(key)s"') % {"key": key})
        prop, op, value = raw["field"], raw["op"], raw["value"]
        if not isinstance(prop, str) or not PROP_PATTERN.fullmatch(prop):
            raise SegmentRulesInvalid(
                _join(path, "field"),
                _("expected a prop name: letters, digits and _, not starting with a digit"),
            )
        if op not in PROP_OPS:
            raise SegmentRulesInvalid(
                _join(path, "op"),
                _('unknown op "%(op)s"; known ops: %(ops)s')
                % {"op": op, "ops": ", ".join(PROP_OPS)},
            )
        value_path = _join(path, "value")
        if op == "is_set":
            if not isinstance(value, bool):
                raise SegmentRulesInvalid(value_path, _("expected true or false"))
        elif op in ("in", "not_in"):
            if not isinstance(value, list) or not 1 <= len(value) <= MAX_PROP_LIST:
                raise SegmentRulesInvalid(
                    value_path,
                    _("expected a list of 1 to %(max)d values") % {"max": MAX_PROP_LIST},
                )
            value = tuple(
                _scalar(item, _join(value_path, f"[{index}]"), ordered=False)
                for index, item in enumerate(value)
            )
        else:
            value = _scalar(value, value_path, ordered=op not in ("eq", "ne"))
        return PropLeaf(prop, op, value)


def props_parse(raw: Any, path: str) -> PropNode:
    """Check a `where` tree; raise SegmentRulesInvalid with the path of the bad node."""
    return _Parser().node(raw, path)


class JsonPathExists(Expression):
    """`jsonb_path_exists(<field>, <path>::jsonpath, <vars>::jsonb)`, as a condition."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, path: str, variables: dict[str, Any]) -> None:
        super().__init__()
        self.source: Any = F(column)
        self.path, self.variables = path, variables

    def get_source_expressions(self) -> list[Any]:
        return [self.source]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.source,) = exprs

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Any:
        copy = self.copy()
        copy.source = self.source.resolve_expression(*args, **kwargs)
        return copy

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column_sql, column_params = compiler.compile(self.source)
        return (
            f"jsonb_path_exists({column_sql}, %s::jsonpath, %s::jsonb)",
            (*column_params, self.path, json.dumps(self.variables)),
        )


def _leaf_q(leaf: PropLeaf, field: str) -> Q:
    key = f'$."{leaf.prop}"'
    if leaf.op == "is_set":
        present = Q(JsonPathExists(field, f"{key} ? (@ != null)", {}))
        return present if leaf.value else ~present
    if leaf.op in ("in", "not_in"):
        test = " || ".join(f"@ == $v{index}" for index in range(len(leaf.value)))
        variables = {f"v{index}": item for index, item in enumerate(leaf.value)}
        found = Q(JsonPathExists(field, f"{key} ? ({test})", variables))
        return found if leaf.op == "in" else ~found
    compare = _COMPARE["eq" if leaf.op == "ne" else leaf.op]
    found = Q(JsonPathExists(field, f"{key} ? (@ {compare} $v)", {"v": leaf.value}))
    return ~found if leaf.op == "ne" else found


def props_q(node: PropNode, *, field: str = "props") -> Q:
    """The checked tree as a Q over the model whose JSON column is `field`."""
    if isinstance(node, PropLeaf):
        return _leaf_q(node, field)
    if node.match == "not":
        return ~props_q(node.children[0], field=field)
    if not node.children:
        return Q(pk__isnull=node.match == "any")
    combined = props_q(node.children[0], field=field)
    for child in node.children[1:]:
        combined = (
            combined & props_q(child, field=field)
            if node.match == "all"
            else combined | props_q(child, field=field)
        )
    return combined


def props_text(node: PropNode) -> str:
    """The tree as a phrase: `amount ≥ 100 AND channel is one of web, app`."""
    if isinstance(node, PropLeaf):
        if node.op == "is_set":
            return (_("%(prop)s is set") if node.value else _("%(prop)s is not set")) % {
                "prop": node.prop
            }
        words = {
            "eq": _("is"),
            "ne": _("is not"),
            "in": _("is one of"),
            "not_in": _("is none of"),
            "gt": _("is more than"),
            "gte": _("is at least"),
            "lt": _("is less than"),
            "lte": _("is at most"),
        }[node.op]
        value = node.value
        shown = (
            ", ".join(json.dumps(item) for item in value)
            if isinstance(value, tuple)
            else (json.dumps(value))
        )
        return f"{node.prop} {words} {shown}"
    if node.match == "not":
        return _("NOT %(rule)s") % {"rule": props_text(node.children[0])}
    joiner = f" {_('AND')} " if node.match == "all" else f" {_('OR')} "
    return "(" + joiner.join(props_text(child) for child in node.children) + ")"
