"""The two sandboxed Jinja2 environments message templates run in, with their filters.

`HTML_ENV` autoescapes (email `html`); `TEXT_ENV` does not (subjects, push, inbox, WhatsApp,
plain-text email). Both are `ImmutableSandboxedEnvironment`s with `StrictUndefined`, no loader
(so no `include`/`import`/`extends`), a curated filter list and resource caps, so that a
template can neither reach Python internals nor exhaust a worker's memory or CPU.
"""

from __future__ import annotations

import functools
import operator
import re
import time
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import dateformat, dates, translation
from jinja2 import StrictUndefined, Template, nodes, pass_context, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.defaults import DEFAULT_FILTERS
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner

from common.system_messages import SystemMessage

from .budget import _CURRENT as _BUDGET
from .budget import (
    DEFAULT_MAX_CHARS,
    MAX_INT_BITS,
    MAX_VALUE,
    RENDER_SECONDS,
    RenderBudgetExceeded,
    budget_active,
    budget_current,
    deadline_in,
    render_budget,
    value_check,
    value_size,
)
from .causes import RenderRefused, RenderValueError, cause_param

# Attribute names refused everywhere, beyond the sandbox's own "starts with _" rule: the
# frame, code and globals handles of functions, generators, coroutines and tracebacks.
DENIED_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "mro",
        "func_globals",
        "func_code",
        "func_closure",
        "func_defaults",
        "im_func",
        "im_self",
        "im_class",
        "gi_frame",
        "gi_code",
        "gi_yieldfrom",
        "cr_frame",
        "cr_code",
        "cr_await",
        "ag_frame",
        "ag_code",
        "ag_await",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "f_code",
        "tb_frame",
        "tb_next",
        "co_code",
        "co_consts",
        "obj",  # Jinja's Undefined keeps the object it failed on here
        "environment",
        "globals",
    }
)

# Caps that keep a template's trial render (and a real one) bounded.
MAX_RANGE = 1_000  # items range() may produce
MAX_REPEAT = 10_000  # length of a string or list built with * or |replace / |format
MAX_WIDTH = 200  # widths in printf-style format strings and |indent
MAX_EXPONENT = 100

# Filters template writers may use: a curated subset of Jinja's, plus Altavoz's own. Every
# other Jinja filter is refused at save time with the reason in REFUSED_FILTERS.
KEPT_JINJA_FILTERS: tuple[str, ...] = (
    "abs",
    "batch",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "filesizeformat",
    "first",
    "float",
    "groupby",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "reverse",
    "round",
    "select",
    "selectattr",
    "slice",
    "sort",
    "string",
    "striptags",
    "sum",
    "title",
    "tojson",
    "trim",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "wordcount",
    "wordwrap",
)

REFUSED_FILTERS: dict[str, str] = {
    "attr": "the attr filter reaches object internals; write creator.field instead",
    "safe": "the safe filter would let a creator's data inject HTML; write the HTML in the template",
    "forceescape": "values are already escaped in HTML",
    "pprint": "pprint shows Python internals",
    "xmlattr": "write the attributes in the template",
    "random": "a message must render the same way every time",
    "center": "pad text in the template instead",
    "urlize": "write links with link() instead",
}

# Methods a template may call on a value ({{ creator.name.upper() }}), besides the helpers.
# str.format and str.format_map are refused: their "{0.__class__}" fields reach internals.
SAFE_METHODS: frozenset[str] = frozenset(
    {
        "capitalize",
        "casefold",
        "count",
        "endswith",
        "get",
        "index",
        "isalnum",
        "isalpha",
        "isdigit",
        "islower",
        "isupper",
        "items",
        "join",
        "keys",
        "lower",
        "lstrip",
        "removeprefix",
        "removesuffix",
        "replace",
        "rstrip",
        "split",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
        "values",
        # objects Jinja itself hands templates: loop, cycler(), joiner()
        "cycle",
        "changed",
        "next",
        "reset",
    }
)

_DATE_FORMATS: dict[str, dict[str, str]] = {
    "es": {
        "short": "d/m/Y",
        "medium": r"j \d\e F \d\e Y",
        "long": r"l j \d\e F \d\e Y",
        "time": "H:i",
    },
    "en": {"short": "m/d/Y", "medium": "F j, Y", "long": "l, F j, Y", "time": "g:i A"},
}
_WIDTH_IN_FORMAT = re.compile(r"%[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?")


def _language(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "es"


_CONTAINERS = (list, tuple, dict, set, frozenset, range)


def _check_length(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_REPEAT:
        raise RenderRefused(SystemMessage("render.result_too_long", count=MAX_REPEAT))
    return value_check(value)


def _check_int_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise RenderBudgetExceeded(
            SystemMessage(
                "render.budget_int_bits", bits=MAX_INT_BITS, digits=int(MAX_INT_BITS * 0.30103)
            )
        )


def _grown_check(estimate: int) -> None:
    if estimate > MAX_VALUE:
        raise RenderBudgetExceeded(SystemMessage("render.result_too_long", count=f"{MAX_VALUE:,}"))


def _join_estimate(items: Any, separator: Any) -> int:
    if not isinstance(items, list | tuple | str | dict | set | frozenset | range):
        return 0  # a generator: its result is checked once made
    return value_size(items) + len(str(separator)) * len(items)


def _replace_estimate(text: str, old: str, new: str, count: Any = -1) -> int:
    occurrences = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        occurrences = min(occurrences, count)
    return len(text) + occurrences * max(len(new) - len(old), 0)


def _check_printf_widths(template: str) -> None:
    for width, precision in _WIDTH_IN_FORMAT.findall(template):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_WIDTH):
                raise RenderRefused(SystemMessage("render.format_width", count=MAX_WIDTH))


def _safe_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise RenderRefused(SystemMessage("render.range", count=MAX_RANGE))
    return rng


@pass_eval_context
def _filter_replace(
    eval_ctx: EvalContext, value: Any, old: str, new: str, count: int | None = None
) -> Any:
    text = str(value)
    occurrences = text.count(old) if old else len(text) + 1
    if count is not None:
        occurrences = min(occurrences, count)
    if len(text) + occurrences * max(len(new) - len(old), 0) > MAX_REPEAT:
        raise RenderRefused(SystemMessage("render.result_too_long", count=MAX_REPEAT))
    return DEFAULT_FILTERS["replace"](eval_ctx, value, old, new, count)


def _filter_format(value: str, *args: Any, **kwargs: Any) -> str:
    _check_printf_widths(str(value))
    return DEFAULT_FILTERS["format"](value, *args, **kwargs)


def _filter_indent(
    value: str, width: int | str = 4, first: bool = False, blank: bool = False
) -> str:
    if (isinstance(width, int) and width > MAX_WIDTH) or (
        isinstance(width, str) and len(width) > MAX_WIDTH
    ):
        raise RenderRefused(SystemMessage("render.indent", count=MAX_WIDTH))
    text = str(value)
    step = width if isinstance(width, int) else len(width)
    _grown_check(len(text) + (text.count("\n") + 1) * max(step, 0))
    return DEFAULT_FILTERS["indent"](value, width, first, blank)


@pass_eval_context
def _filter_join(eval_ctx: EvalContext, value: Any, d: str = "", attribute: Any = None) -> str:
    _grown_check(_join_estimate(value, d))
    return DEFAULT_FILTERS["join"](eval_ctx, value, d, attribute)


@pass_context
def _filter_wordwrap(context: Context, s: str, width: int = 79, *args: Any, **kwargs: Any) -> str:
    wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None)
    wrapstring = context.environment.newline_sequence if wrapstring is None else wrapstring
    text = str(s)
    _grown_check(len(text) + (len(text) // max(int(width), 1) + 1) * len(str(wrapstring)))
    return DEFAULT_FILTERS["wordwrap"](context.environment, s, width, *args, **kwargs)


def _count_capped(name: str, default: Any) -> Any:
    original = default

    def capped(value: Any, count: int, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(count, int) or count > MAX_RANGE:
            raise RenderRefused(SystemMessage("render.count_limited", name=name, count=MAX_RANGE))
        return original(value, count, *args, **kwargs)

    capped.__name__ = name
    return capped


def _budgeted_filter(function: Any) -> Any:
    """`function` refusing inputs and results larger than MAX_VALUE (characters/items) and
    reading the render's clock: a filter is the one way a template calls Python without
    going through the sandbox's `call`."""

    @functools.wraps(function)  # keeps jinja_pass_arg (pass_context, pass_eval_context…)
    def budgeted(*args: Any, **kwargs: Any) -> Any:
        budget = _BUDGET.get()
        if budget is not None and time.monotonic() > budget.deadline:
            budget.clock_check()
        size = 0
        for arg in (*args, *kwargs.values()) if kwargs else args:
            if isinstance(arg, str):
                size += len(arg)
            elif isinstance(arg, _CONTAINERS):
                size += value_size(arg, MAX_VALUE - size)
            else:
                continue
            if size > MAX_VALUE:
                _grown_check(size)
        result = function(*args, **kwargs)
        if isinstance(result, str):
            if len(result) > MAX_VALUE:
                _grown_check(len(result))
            return result
        return value_check(result)

    return budgeted


def _to_decimal(value: Any) -> Decimal:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as error:
        raise RenderValueError(
            SystemMessage("render.not_a_number", value=cause_param(value))
        ) from error


def filter_number(value: Any, decimals: int = 0) -> str:
    """`12500|number` → `12,500`; `1234.5|number(2)` → `1,234.50` (Mexico and en alike)."""
    quantum = Decimal(1).scaleb(-min(int(decimals), 6))
    amount = _to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{amount:,.{min(int(decimals), 6)}f}"


def filter_mxn(value: Any, decimals: int = 2) -> str:
    """`1234.5|mxn` → `$1,234.50 MXN`; `-20|mxn(0)` → `-$20 MXN`."""
    amount = _to_decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${filter_number(abs(amount), decimals)} MXN"


def _as_datetime(value: Any) -> date | datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:  # not ISO text: refused below, as any other non-date
        moment = None
    if not isinstance(moment, date):
        raise RenderValueError(SystemMessage("render.not_a_date", value=cause_param(value)))
    return moment


def _creator_setting(context: Context, key: str, default: str) -> str:
    creator = context.get("creator")
    if isinstance(creator, dict):
        return creator.get(key) or default
    return default


def _localized(context: Context, value: Any, style: str, *, with_time: bool) -> str:
    moment = _as_datetime(value)
    if moment is None:
        return ""
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        zone = _creator_setting(context, "timezone", "America/Mexico_City")
        try:
            moment = moment.astimezone(ZoneInfo(zone))
        except ZoneInfoNotFoundError:
            moment = moment.astimezone(ZoneInfo("America/Mexico_City"))
    language = _language(_creator_setting(context, "locale", "es-MX"))
    formats = _DATE_FORMATS[language]
    pattern = formats.get(style, style)
    if with_time and isinstance(moment, datetime):
        joiner = r" \a \l\a\s " if language == "es" else ", "
        pattern = pattern + joiner + formats["time"]
    with translation.override("es-mx" if language == "es" else "en"):
        formatted = dateformat.format(moment, pattern)
        if language == "es":
            formatted = _spanish_names().sub(lambda match: match.group(0).lower(), formatted)
    return formatted


@functools.cache
def _spanish_names() -> re.Pattern[str]:
    """Django's Spanish month and day names are capitalised; in a Spanish sentence they are not.

    Built while Spanish is active (the caller holds the override).
    """
    names = {
        str(name)
        for table in (dates.MONTHS, dates.MONTHS_AP, dates.MONTHS_ALT, dates.WEEKDAYS)
        for name in table.values()
    } | {str(name) for name in dates.WEEKDAYS_ABBR.values()}
    alternatives = "|".join(
        sorted((re.escape(name) for name in names if name), key=len, reverse=True)
    )
    return re.compile(rf"\b(?:{alternatives})(?!\w)")


@pass_context
def filter_date(context: Context, value: Any, style: str = "medium") -> str:
    """A date in the creator's language and time zone.

    `style` is `short` (05/03/2024), `medium` (5 de marzo de 2024), `long` (martes 5 de
    marzo de 2024) or a Django date format such as `"j \\d\\e F"`.
    """
    return _localized(context, value, style, with_time=False)


@pass_context
def filter_datetime(context: Context, value: Any, style: str = "medium") -> str:
    """`filter_date` followed by the time in the creator's time zone (5 de marzo de 2024 a las 11:30)."""
    return _localized(context, value, style, with_time=True)


class BudgetCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every write and every `~` going through the budget."""

    _loops = 0  # how many {% for %} the code being generated is inside

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._loops += 1
        try:
            super().visit_For(node, frame)
        finally:
            self._loops -= 1

    def _output_const_repr(self, group: Any) -> str:
        # Template text outside loops is written once: its length is the template's, and the
        # whole field's length is checked at the end (BudgetedTemplate, MessageRenderer).
        if not self._loops:
            return super()._output_const_repr(group)
        return f"environment.budget_write({super()._output_const_repr(group)})"

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.budget_write(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # As Jinja's, with the pieces sized before they are joined (`s ~ s ~ s ~ …`).
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"{join}(environment.budget_pieces((")
        for piece in node.nodes:
            self.visit(piece, frame)
            self.write(", ")
        self.write(")))")

    def _literal(self, visit: Any, node: nodes.Expr, frame: Frame) -> None:
        # [a, b, …], (a, b, …), {k: v, …} written in the template: sized like any value.
        if getattr(node, "ctx", "load") != "load":  # a target: {% for a, b in … %}
            visit(node, frame)
            return
        self.write("environment.budget_literal(")
        visit(node, frame)
        self.write(")")

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        self._literal(super().visit_Tuple, node, frame)

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._literal(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._literal(super().visit_Dict, node, frame)


class BudgetedTemplate(Template):
    """`render()` outside a budget gets one of its own (the default size cap and deadline)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if budget_active():
            return budget_current().final(super().render(*args, **kwargs))
        with render_budget(
            max_chars=DEFAULT_MAX_CHARS, deadline=deadline_in(RENDER_SECONDS)
        ) as budget:
            return budget.final(super().render(*args, **kwargs))


class MessageSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with Altavoz's denied attributes and resource caps."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in DENIED_ATTRIBUTES:
            return False
        if attr in ("format", "format_map") and isinstance(obj, str):
            return False
        return super().is_safe_attribute(obj, attr, value)

    code_generator_class = BudgetCodeGenerator
    template_class = BudgetedTemplate

    def call_binop(self, context: Context, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
                raise RenderRefused(SystemMessage("render.exponent", count=MAX_EXPONENT))
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                _check_int_bits(left.bit_length() * right)
            return operator.pow(left, right)
        if operator_ == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                    if len(sequence) * times > MAX_REPEAT:
                        raise RenderRefused(
                            SystemMessage("render.result_too_long", count=MAX_REPEAT)
                        )
                    if not isinstance(sequence, str):
                        _grown_check(value_size(sequence) * max(times, 0))
            if isinstance(left, int) and isinstance(right, int):
                _check_int_bits(left.bit_length() + right.bit_length())
            return operator.mul(left, right)
        if operator_ == "%":
            if isinstance(left, str):
                _check_printf_widths(left)
                _grown_check(len(left) + value_size(right))
            return operator.mod(left, right)
        return _check_length(operator.add(left, right))

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Every call a template makes: methods of text, lists and dicts are only the simple
        ones (SAFE_METHODS), `join`/`replace` may not build more than MAX_VALUE, and no call
        may give back more than that."""
        budget_current().clock_check()
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, str | list | tuple | dict):
            name = getattr(obj, "__name__", "")
            if name not in SAFE_METHODS:
                raise RenderRefused(SystemMessage("render.method", name=cause_param(name)))
            if name == "join" and args:
                _grown_check(_join_estimate(args[0], owner))
            elif name == "replace" and isinstance(owner, str) and len(args) >= 2:
                _grown_check(_replace_estimate(owner, str(args[0]), str(args[1]), *args[2:3]))
        return value_check(super().call(context, obj, *args, **kwargs))

    # --- hooks the compiled template calls (BudgetCodeGenerator, _generate) -------------------

    def budget_loop(self, iterable: Any) -> Any:
        """A loop's items, each charged to the render's budget."""
        budget = budget_current()
        for item in iterable:
            budget.tick()
            yield item

    def budget_write(self, text: Any) -> Any:
        """Text the template writes (output, or captured by {% set %}): charged by length."""
        budget = _BUDGET.get() or budget_current()
        budget.written += len(text)
        if budget.written > budget.max_chars:
            budget.write(0)  # raises, with the message
        return text

    def budget_pieces(self, pieces: tuple[Any, ...]) -> tuple[Any, ...]:
        """The pieces `~` joins: together no longer than `+` may make (MAX_REPEAT)."""
        size = 0
        for piece in pieces:
            size += len(piece) if isinstance(piece, str) else value_size(piece)
            if size > MAX_REPEAT:
                raise RenderRefused(SystemMessage("render.result_too_long", count=MAX_REPEAT))
        return pieces

    def budget_literal(self, value: Any) -> Any:
        """A list, tuple or dict written in the template: at most MAX_VALUE through nesting."""
        return value_check(value)

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        for loop in source.find_all(nodes.For):
            loop.iter = nodes.Call(
                nodes.EnvironmentAttribute("budget_loop", lineno=loop.lineno),
                [loop.iter],
                [],
                None,
                None,
                lineno=loop.iter.lineno,
            )
        return super()._generate(source, name, filename, defer_init)


def _environment(*, autoescape: bool) -> MessageSandbox:
    env = MessageSandbox(
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=0,
    )
    env.filters = {name: DEFAULT_FILTERS[name] for name in KEPT_JINJA_FILTERS}
    env.filters.update(
        {
            "replace": _filter_replace,
            "format": _filter_format,
            "indent": _filter_indent,
            "join": _filter_join,
            "wordwrap": _filter_wordwrap,
            "batch": _count_capped("batch", DEFAULT_FILTERS["batch"]),
            "slice": _count_capped("slice", DEFAULT_FILTERS["slice"]),
            "number": filter_number,
            "mxn": filter_mxn,
            "date": filter_date,
            "datetime": filter_datetime,
        }
    )
    env.filters = {name: _budgeted_filter(function) for name, function in env.filters.items()}
    env.globals = {"range": _safe_range, "dict": dict, "cycler": Cycler, "joiner": Joiner}
    return env


HTML_ENV = _environment(autoescape=True)
TEXT_ENV = _environment(autoescape=False)

# Names the caller puts in every render's context (see MessageRenderer.render).
HELPERS: frozenset[str] = frozenset(
    {"link", "learn", "preferences_url", "unsubscribe_url", "portal_url", "snippet"}
)
CONTEXT_NAMES: frozenset[str] = frozenset({"creator", "campaign", "event"}) | HELPERS
GLOBAL_NAMES: frozenset[str] = frozenset(TEXT_ENV.globals)
