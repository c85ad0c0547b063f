"""Save-time checking of message templates: syntax, unknown names, sandbox escapes, a trial render.

`template_check` refuses a template with `TemplateInvalid(line, cause)`; `message_check`
checks every field of one message and returns the problems as `FieldError`s (for a 400).
The static inspection walks Jinja's AST; the trial render runs the template in the same
sandbox dispatch uses, against a sample creator in each language, so a template refused
by neither can still only fail at dispatch on a missing value for a real creator.
"""

from __future__ import annotations

import difflib
import html
import time
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from jinja2 import meta, nodes
from jinja2.exceptions import TemplateSyntaxError

from campaigns.exceptions import TemplateInvalid
from common.system_messages import SystemMessage

from .budget import (
    CHECK_SECONDS,
    MAX_SOURCE_CHARS,
    MAX_TEMPLATE_TAGS,
    RenderBudgetExceeded,
    deadline_in,
    render_budget,
)
from .causes import RenderCauseError, RenderRefused, jinja_error_cause, render_failed_cause
from .context import (
    CAMPAIGN_FIELDS,
    CREATOR_COLUMNS,
    CREATOR_DERIVED,
    CREATOR_FIELDS,
    SAMPLE_CAMPAIGN,
    SAMPLE_CREATOR,
)
from .environment import (
    CONTEXT_NAMES,
    DENIED_ATTRIBUTES,
    GLOBAL_NAMES,
    HELPERS,
    HTML_ENV,
    REFUSED_FILTERS,
    SAFE_METHODS,
    TEXT_ENV,
    MessageSandbox,
)
from .fields import CHANNEL_FIELDS, FieldKind, field_kind, field_max_chars
from .links import (
    LinkRefused,
    PreviewLinks,
    field_postprocess,
    html_link_values,
    link_helpers,
    link_refusal,
    link_refused_line,
    link_scheme,
)
from .snippets import SNIPPET_HELPER, SnippetLibrary, SnippetMissing, snippet_calls

TEMPLATE_FILENAME = "<template>"
MAX_LOOP_DEPTH = 2

# Filters whose argument at this position (or `attribute=`) names an attribute of the items.
_ATTRIBUTE_ARGUMENTS: dict[str, int] = {
    "selectattr": 0,
    "rejectattr": 0,
    "groupby": 0,
    "sum": 0,
    "sort": 2,
    "unique": 1,
    "min": 1,
    "max": 1,
    "join": 1,
}
_CONTEXT_FIELDS: dict[str, frozenset[str]] = {
    "creator": CREATOR_FIELDS,
    "campaign": CAMPAIGN_FIELDS,
}


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a message, as the API reports it."""

    field: str
    line: int
    cause: str
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "line": self.line,
            "cause": self.cause,
            "message": self.message,
        }


@dataclass
class TemplateAnalysis:
    """What the static inspection found: problems, and the creator columns the template reads."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    # causes that are attempts to leave the sandbox: reported before others on the same line
    escapes: set[str] = field(default_factory=set)
    creator_fields: set[str] = field(default_factory=set)
    reads_whole_creator: bool = False


def environment_for(kind: FieldKind) -> MessageSandbox:
    return HTML_ENV if kind is FieldKind.HTML else TEXT_ENV


def _walk(node: nodes.Node, parent: nodes.Node | None = None) -> Iterator[tuple[nodes.Node, Any]]:
    yield node, parent
    for child in node.iter_child_nodes():
        yield from _walk(child, node)


def _attribute_problem(attr: str) -> str | None:
    if attr.startswith("_") or attr in DENIED_ATTRIBUTES:
        return _("“%(name)s” is not allowed: templates cannot reach Python internals") % {
            "name": attr
        }
    if attr in ("format", "format_map"):
        return _(
            "str.%(name)s is not allowed (its fields can reach Python internals); "
            "join text with ~ or use the format filter"
        ) % {"name": attr}
    return None


def _attribute_path_problem(path: Any) -> str | None:
    if not isinstance(path, str):
        return None
    for part in path.split("."):
        problem = _attribute_problem(part)
        if problem:
            return problem
    return None


def _suggest(name: str, known: frozenset[str] | set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return (_(" (did you mean “%(name)s”?)") % {"name": close[0]}) if close else ""


def _field_problem(owner: str, attr: str) -> str | None:
    known = _CONTEXT_FIELDS[owner]
    if attr in known:
        return None
    return _("unknown field “%(owner)s.%(name)s”%(hint)s") % {
        "owner": owner,
        "name": attr,
        "hint": _suggest(attr, known),
    }


def _const_str(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return node.value
    return None


def _assigned_names(ast: nodes.Template, problems: list[tuple[int, str]]) -> set[str]:
    """Every name the template assigns (set, for, with, macro parameters); assigning one of
    the context's names is a problem."""
    assigned: set[str] = set()
    for statement in ast.find_all((nodes.Assign, nodes.AssignBlock, nodes.For, nodes.With)):
        for stored in statement.find_all(nodes.Name):
            if stored.ctx in ("store", "param"):
                assigned.add(stored.name)
    for name in sorted(assigned & CONTEXT_NAMES):
        line = next(
            (n.lineno for n in ast.find_all(nodes.Name) if n.name == name and n.ctx == "store"),
            1,
        )
        problems.append((line, _("“%(name)s” is reserved and cannot be assigned") % {"name": name}))
    return assigned


def _loop_depth_check(node: nodes.Node, depth: int, problems: list[tuple[int, str]]) -> None:
    """Loops nested deeper than MAX_LOOP_DEPTH, each reported once (not what is inside)."""
    for child in node.iter_child_nodes():
        if not isinstance(child, nodes.For):
            _loop_depth_check(child, depth, problems)
        elif depth + 1 > MAX_LOOP_DEPTH:
            problems.append(
                (
                    child.lineno,
                    _("loops can be nested at most %(count)d deep") % {"count": MAX_LOOP_DEPTH},
                )
            )
        else:
            _loop_depth_check(child, depth + 1, problems)


class _NodeChecker:
    """The per-node rules of `template_analyze`: one method per kind of node."""

    def __init__(self, analysis: TemplateAnalysis, env: MessageSandbox, assigned: set[str]) -> None:
        self.analysis = analysis
        self.problems = analysis.problems
        self.env = env
        self.assigned = assigned

    def check(self, node: Any, parent: Any) -> None:
        line = getattr(node, "lineno", 1) or 1
        if isinstance(node, nodes.Name):
            self.name(node, parent, line)
        elif isinstance(node, nodes.Getattr | nodes.Getitem):
            self.attribute(node, line)
        elif isinstance(node, nodes.Call):
            self.call(node, line)
        elif isinstance(node, nodes.Filter | nodes.Test):
            self.filter_or_test(node, line)
        else:
            problem = _statement_problem(node)
            if problem:
                self.problems.append((line, problem))

    def name(self, node: nodes.Name, parent: Any, line: int) -> None:
        if node.ctx != "load":
            return
        if node.name == "self":
            self.problems.append((line, _("unknown variable “%(name)s”") % {"name": "self"}))
        elif node.name == "creator":
            reads_field = (
                isinstance(parent, nodes.Getattr)
                or (isinstance(parent, nodes.Getitem) and _const_str(parent.arg) is not None)
            ) and parent.node is node
            if not reads_field:
                self.analysis.reads_whole_creator = True

    def attribute(self, node: nodes.Getattr | nodes.Getitem, line: int) -> None:
        attr = node.attr if isinstance(node, nodes.Getattr) else _const_str(node.arg)
        owner = node.node.name if isinstance(node.node, nodes.Name) else None
        if attr is None:
            if owner in _CONTEXT_FIELDS or owner in HELPERS:
                self.problems.append(
                    (line, _("write %(owner)s.field, not %(owner)s[…]") % {"owner": owner})
                )
            return
        problem = _attribute_problem(attr)
        if problem:
            self.analysis.escapes.add(problem)
        if problem is None and owner in HELPERS:
            problem = _("helpers such as %(name)s() have no attributes") % {"name": owner}
        if problem is None and owner in _CONTEXT_FIELDS and owner not in self.assigned:
            problem = _field_problem(owner, attr)
            if owner == "creator" and problem is None:
                self.analysis.creator_fields.add(attr)
        if problem:
            self.problems.append((line, problem))

    def call(self, node: nodes.Call, line: int) -> None:
        target: Any = node.node
        if isinstance(target, nodes.Name):
            return  # unknown names are reported above; local names fail in the trial render
        if not isinstance(target, nodes.Getattr):
            self.problems.append((line, _("only helpers and simple methods can be called")))
        elif target.attr not in SAFE_METHODS and _attribute_problem(target.attr) is None:
            self.problems.append(
                (line, _("method “%(name)s()” is not available") % {"name": target.attr})
            )

    def filter_or_test(self, node: nodes.Filter | nodes.Test, line: int) -> None:
        is_filter = isinstance(node, nodes.Filter)
        registry = self.env.filters if is_filter else self.env.tests
        if is_filter and node.name in REFUSED_FILTERS:
            self.problems.append(
                (
                    line,
                    _("the “%(name)s” filter is not available: %(reason)s")
                    % {"name": node.name, "reason": _(REFUSED_FILTERS[node.name])},
                )
            )
        elif node.name not in registry:
            self.problems.append(
                (
                    line,
                    _("unknown %(what)s “%(name)s”%(hint)s")
                    % {
                        "what": _("filter") if is_filter else _("test"),
                        "name": node.name,
                        "hint": _suggest(node.name, set(registry)),
                    },
                )
            )
        elif isinstance(node, nodes.Filter):
            self.problems.extend((line, p) for p in _filter_argument_problems(node, self.env))


def _statement_problem(node: nodes.Node) -> str | None:
    """What is refused about a statement messages cannot use (macros, includes, …)."""
    if isinstance(node, nodes.Macro | nodes.CallBlock):
        return _("macros are not available in messages")
    if isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport):
        return _("a message cannot include or extend other templates")
    if isinstance(node, nodes.For) and node.recursive:
        return _("recursive loops are not available in messages")
    if isinstance(node, nodes.EvalContextModifier) and any(
        option.key == "autoescape" for option in node.options
    ):
        return _("autoescaping cannot be switched off or on")
    return None


def _undeclared_problems(ast: nodes.Template, problems: list[tuple[int, str]]) -> None:
    """Names the template reads that are neither the context's nor helpers."""
    known_names = CONTEXT_NAMES | GLOBAL_NAMES
    try:
        undeclared = meta.find_undeclared_variables(ast)
    except TemplateSyntaxError as error:  # Jinja's compiler refused it (e.g. an unknown filter)
        if not problems:
            problems.append((error.lineno or 1, error.message or str(error)))
        undeclared = set()
    for name in sorted(undeclared - known_names):
        node, parent = next(
            ((n, p) for n, p in _walk(ast) if isinstance(n, nodes.Name) and n.name == name),
            (None, None),
        )
        line = node.lineno if node is not None else 1
        if name.startswith("_"):
            problems.append((line, _attribute_problem(name) or ""))
        elif isinstance(parent, nodes.Call) and parent.node is node:
            problems.append(
                (
                    line,
                    _("unknown function “%(name)s()”%(hint)s")
                    % {"name": name, "hint": _suggest(name, HELPERS | GLOBAL_NAMES)},
                )
            )
        else:
            problems.append(
                (
                    line,
                    _("unknown variable “%(name)s”%(hint)s")
                    % {"name": name, "hint": _suggest(name, known_names)},
                )
            )


def template_analyze(ast: nodes.Template, env: MessageSandbox) -> TemplateAnalysis:
    """Walk a parsed template and collect what is refused, with lines, and what it reads."""
    analysis = TemplateAnalysis()
    assigned = _assigned_names(ast, analysis.problems)
    _loop_depth_check(ast, 0, analysis.problems)
    checker = _NodeChecker(analysis, env, assigned)
    for node, parent in _walk(ast):
        checker.check(node, parent)
    _undeclared_problems(ast, analysis.problems)
    return analysis


def _filter_argument_problems(node: nodes.Filter, env: MessageSandbox) -> Iterator[str]:
    args = node.args
    if node.name in ("map", "select", "reject") and args:
        named = _const_str(args[0])
        registry = env.filters if node.name == "map" else env.tests
        if named is not None and named not in registry:
            reason = REFUSED_FILTERS.get(named)
            yield (
                _("the “%(name)s” filter is not available: %(reason)s")
                % {"name": named, "reason": _(reason)}
                if reason
                else _("unknown %(what)s “%(name)s”")
                % {"what": _("filter") if node.name == "map" else _("test"), "name": named}
            )
    if node.name in ("selectattr", "rejectattr") and len(args) > 1:
        named = _const_str(args[1])
        if named is not None and named not in env.tests:
            yield _("unknown test “%(name)s”") % {"name": named}
    position = _ATTRIBUTE_ARGUMENTS.get(node.name)
    candidates = [args[position]] if position is not None and position < len(args) else []
    candidates += [kw.value for kw in node.kwargs if kw.key == "attribute"]
    for candidate in candidates:
        problem = _attribute_path_problem(_const_str(candidate))
        if problem:
            yield problem


def _error_line(error: BaseException) -> int:
    line = 1
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == TEMPLATE_FILENAME and frame.lineno:
            line = frame.lineno
    return line


def _render_error_known_cause(error: BaseException) -> SystemMessage | None:
    if isinstance(error, RenderBudgetExceeded):
        return SystemMessage("render.over_budget", detail=error.system_message)
    if isinstance(error, RenderRefused) and not isinstance(error, LinkRefused):
        return SystemMessage("render.not_allowed", detail=error.system_message)
    if isinstance(error, RenderCauseError):  # a link, a missing snippet, a filter's value
        return error.system_message
    return jinja_error_cause(error)


def render_error_cause(error: BaseException) -> SystemMessage:
    """What a person should read about a failed render, as a message (causes.py): a worker
    stores it in a delivery's note, read later in the viewer's language."""
    return _render_error_known_cause(error) or render_failed_cause(error)


def render_error_text(error: BaseException) -> str:
    """What the person saving a template reads about its failed trial render, in the
    request's language; an error no message describes keeps Python's own words, which help
    them fix what they are writing."""
    cause = _render_error_known_cause(error)
    return str(cause) if cause is not None else f"{type(error).__name__}: {error}"


def render_error_code(error: BaseException) -> str:
    """The delivery's error code for a failed render (see TemplateRenderFailed)."""
    if isinstance(error, RenderBudgetExceeded):
        return "render_budget"
    if isinstance(error, LinkRefused):
        return "render_link"
    return "render_error"


def source_link_lines(source: str) -> list[int]:
    """The line of each link attribute (href…) written in an HTML template, in order."""
    return [source.count("\n", 0, offset) + 1 for offset, _raw in html_link_values(source)]


def _literal_link_problem(source: str) -> tuple[int, str] | None:
    """A link attribute written in an HTML template whose literal start already makes it
    something other than a web link (`href="javascript:…"`, `href="data:{{ x }}"`)."""
    for offset, raw in html_link_values(source):
        literal = raw
        for opening in ("{{", "{%", "{#"):
            literal = literal.split(opening, 1)[0]
        literal = html.unescape(literal).strip()
        if link_scheme(literal):
            problem = link_refusal(literal, contact=True)
            if problem:
                return source.count("\n", 0, offset) + 1, str(problem)
    return None


def render_error_line(error: BaseException) -> int:
    if isinstance(error, TemplateSyntaxError):
        return error.lineno or 1
    return _error_line(error)


def template_check(
    source: str,
    *,
    field: str,
    channel: str,
    deadline: float | None = None,
    snippets_allowed: bool = True,
) -> None:
    """Refuse a template with `TemplateInvalid(line, cause)`, or return if it is fine.

    `snippet('slug')` calls must name, in quotes, a snippet of the library; a snippet's own
    body is checked with `snippets_allowed=False` (a snippet does not call snippets).

    The trial renders run under the rendering budget (budget.py) with the field's size cap;
    `deadline` (a `time.monotonic()` value) is shared by all the fields of one message
    (`message_check`), else CHECK_SECONDS from now.
    """
    if deadline is None:
        deadline = deadline_in(CHECK_SECONDS)
    if time.monotonic() > deadline:  # earlier fields of the message used the time up
        raise TemplateInvalid(
            1,
            _("over the rendering budget: %(detail)s")
            % {"detail": _("the message took too long to check")},
        )
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateInvalid(
            1,
            _("the template is longer than %(count)s characters")
            % {"count": f"{MAX_SOURCE_CHARS:,}"},
        )
    if source.count("{{") + source.count("{%") > MAX_TEMPLATE_TAGS:
        raise TemplateInvalid(
            1,
            _("the template has more than %(count)s expressions and statements")
            % {"count": f"{MAX_TEMPLATE_TAGS:,}"},
        )

    kind = field_kind(channel, field)
    if kind is FieldKind.LITERAL or kind is FieldKind.VARIABLES:
        raise ValueError(f"{channel}.{field} is not a single template")
    env = environment_for(kind)
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateInvalid(
            error.lineno or 1, _("syntax error: %(detail)s") % {"detail": error.message}
        ) from error
    analysis = template_analyze(ast, env)
    if analysis.problems:
        line, cause = min(
            analysis.problems, key=lambda problem: (problem[0], problem[1] not in analysis.escapes)
        )
        raise TemplateInvalid(line, cause)
    library = _snippets_check(ast, allowed=snippets_allowed)
    if kind is FieldKind.HTML:
        literal = _literal_link_problem(source)
        if literal:
            raise TemplateInvalid(*literal)
    try:
        template = env.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateInvalid(
            error.lineno or 1, _("syntax error: %(detail)s") % {"detail": error.message}
        ) from error

    from .context import SAMPLE_EVENT, campaign_context_build, creator_context_build

    campaign = campaign_context_build(SAMPLE_CAMPAIGN)
    for locale in ("es-MX", "en"):
        links = PreviewLinks(locale=locale)
        context = {
            "creator": creator_context_build({**SAMPLE_CREATOR, "locale": locale}),
            "campaign": campaign,
            "event": SAMPLE_EVENT,
            **link_helpers(links),
            SNIPPET_HELPER: library.helper(locale),
        }
        try:
            with render_budget(max_chars=field_max_chars(channel, field), deadline=deadline):
                rendered = template.render(context)
        except Exception as error:  # any failure of the trial render refuses the template
            raise TemplateInvalid(render_error_line(error), render_error_text(error)) from error
        try:
            field_postprocess(kind, rendered, links)
        except LinkRefused as error:
            line = link_refused_line(error, source_link_lines(source))
            raise TemplateInvalid(line, render_error_text(error)) from error
        except Exception as error:
            raise TemplateInvalid(1, f"{type(error).__name__}: {error}") from error


def _snippets_check(ast: nodes.Template, *, allowed: bool) -> SnippetLibrary:
    """Refuse snippet() calls that do not name a snippet of the library, in quotes; the
    library of the ones named, for the trial renders."""
    calls = snippet_calls(ast)
    if calls and not allowed:
        raise TemplateInvalid(calls[0][0], _("a snippet cannot use other snippets"))
    library = SnippetLibrary.for_asts([ast]) if calls else SnippetLibrary({})
    for line, slug in calls:
        if slug is None:
            raise TemplateInvalid(
                line, _("write the snippet's name in quotes: snippet('reglas-mision')")
            )
        if slug not in library.versions:
            raise TemplateInvalid(line, str(SnippetMissing(slug)))
    return library


def message_check(channel: str, fields: Mapping[str, Any]) -> list[FieldError]:
    """Check every template field of one message; an empty list means it can be saved.

    Fields the channel does not template (e.g. `content_sid`) and keys outside the channel's
    fields are not looked at here: the API schema validates the message's shape.
    """
    if channel not in CHANNEL_FIELDS:
        cause = _("unknown channel “%(name)s”") % {"name": channel}
        return [FieldError("channel", 1, cause, cause)]
    errors: list[FieldError] = []
    deadline = deadline_in(CHECK_SECONDS)  # for the trial renders of the whole message
    for name, kind in CHANNEL_FIELDS[channel].items():
        value = fields.get(name)
        if value is None or kind is FieldKind.LITERAL:
            continue
        if kind is FieldKind.VARIABLES:
            if not isinstance(value, Mapping):
                cause = _("must be an object whose values are templates")
                errors.append(FieldError(name, 1, cause, cause))
                continue
            sources = {f"variables.{key}": source for key, source in value.items()}
        else:
            sources = {name: value}
        for path, source in sources.items():
            if not isinstance(source, str):
                cause = _("must be text")
                errors.append(FieldError(path, 1, cause, cause))
                continue
            try:
                template_check(source, field=path, channel=channel, deadline=deadline)
            except TemplateInvalid as error:
                errors.append(FieldError(path, error.line, error.cause, error.message))
    return errors


def creator_columns_needed(analyses: list[TemplateAnalysis]) -> tuple[str, ...]:
    """The Creator columns a set of templates reads (plus locale and timezone for the filters)."""
    if any(analysis.reads_whole_creator for analysis in analyses):
        return CREATOR_COLUMNS
    needed = {"locale", "timezone"}
    for analysis in analyses:
        for name in analysis.creator_fields:
            needed.update(CREATOR_DERIVED.get(name, (name,)))
    return tuple(column for column in CREATOR_COLUMNS if column in needed)
