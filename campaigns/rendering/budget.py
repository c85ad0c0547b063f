"""The rendering budget: what one render of one message may cost, whatever the template composes.

Every render (the trial render at save, the preview, each delivery at dispatch) runs inside a
`RenderBudget`, set for the thread by `render_budget()`. The sandbox (environment.py) charges
it from the code Jinja compiles: every loop iteration (`tick`, across all loops and their
nesting), every piece of text the template writes (`write`, including text captured by
`{% set %}…{% endset %}`), and checks the clock at each of them. A render that goes over raises
`RenderBudgetExceeded` (a Jinja `SecurityError`) at the template line that went over.

Each cap is small enough that the others bound what a single step can do: no value a filter,
method or operator builds exceeds `MAX_VALUE`, no loop runs more than `MAX_LOOP_ITERATIONS` in
all, and the clock is read at every iteration and every write, so a template cannot multiply
its way past the budget by nesting loops, concatenating or joining (docs/templates.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from common.system_messages import SystemMessage

from .causes import RenderRefused

# Loop iterations in one field's render: every loop, nested or not, counted together.
MAX_LOOP_ITERATIONS = 10_000
# Characters (text) or items (lists, dicts; counted through nesting) a filter or a method may
# take or give back.
MAX_VALUE = 100_000
# Size of an integer a template may compute (2**4096 has 1,234 digits).
MAX_INT_BITS = 4_096
# Wall-clock seconds for one message (all its fields) at dispatch and in previews; at save, for
# the trial renders of a whole message (both languages, every field).
RENDER_SECONDS = 0.5
CHECK_SECONDS = 0.5
# Size of one field's template, and how many {{ … }} / {% … %} it may hold: parsing and compiling
# are not free (a 100 KB template with 1,500 expressions takes seconds), and happen on save.
MAX_SOURCE_CHARS = 200_000
MAX_TEMPLATE_TAGS = 1_000
# Output cap of a field that has no limit of its own (see fields.FIELD_MAX_CHARS).
DEFAULT_MAX_CHARS = 1_000_000


class RenderBudgetExceeded(RenderRefused):
    """A render stopped because it went over its budget (loops, size or time); which one is
    its `system_message` (causes.py)."""


@dataclass(slots=True)
class RenderBudget:
    """What one field's render has spent: loop iterations and characters written."""

    max_chars: int
    deadline: float  # time.monotonic() after which the render stops
    iterations: int = 0
    written: int = 0

    def clock_check(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderBudgetExceeded(SystemMessage("render.budget_time"))

    def tick(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_LOOP_ITERATIONS:
            raise RenderBudgetExceeded(
                SystemMessage("render.budget_loops", count=f"{MAX_LOOP_ITERATIONS:,}")
            )
        self.clock_check()

    def write(self, size: int) -> None:
        # No clock here: writes between two loop iterations are bounded by the template's size,
        # and every iteration, call and filter reads the clock.
        self.written += size
        if self.written > self.max_chars:
            raise RenderBudgetExceeded(
                SystemMessage("render.budget_field", count=f"{self.max_chars:,}")
            )

    def final(self, text: str) -> str:
        """The field's whole text, refused if longer than the cap (template text outside
        loops is not charged as it is written)."""
        if len(text) > self.max_chars:
            self.written = len(text)
            self.write(0)
        return text


_CURRENT: ContextVar[RenderBudget | None] = ContextVar("altavoz_render_budget", default=None)


@contextmanager
def render_budget(*, max_chars: int, deadline: float) -> Iterator[RenderBudget]:
    """Run the renders inside the block under one budget (one field, one deadline)."""
    budget = RenderBudget(max_chars=max_chars, deadline=deadline)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def budget_enter(*, max_chars: int, deadline: float) -> Token[RenderBudget | None]:
    """`render_budget` without the context manager (the per-delivery path); pair with
    `budget_exit(token)` in a `finally`."""
    return _CURRENT.set(RenderBudget(max_chars=max_chars, deadline=deadline))


def budget_exit(token: Token[RenderBudget | None]) -> None:
    _CURRENT.reset(token)


def budget_current() -> RenderBudget:
    budget = _CURRENT.get()
    if budget is None:  # a message template rendered some other way than through the budget
        raise RenderBudgetExceeded(SystemMessage("render.budget_missing"))
    return budget


def budget_active() -> bool:
    return _CURRENT.get() is not None


def deadline_in(seconds: float) -> float:
    return time.monotonic() + seconds


def value_size(value: Any, limit: int = MAX_VALUE) -> int:
    """Characters of text plus items of containers in `value`, through nesting; stops counting
    once past `limit` (so sizing a huge value is cheap)."""
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            if total <= limit:
                pending.extend(item)
        elif isinstance(item, dict):
            total += len(item)
            if total <= limit:
                pending.extend(item.values())
        elif isinstance(item, range):
            total += len(item)
        if total > limit:
            break
    return total


def value_check(value: Any, limit: int = MAX_VALUE) -> Any:
    """`value`, or `RenderBudgetExceeded` if it is larger than `limit` characters/items."""
    if isinstance(value, str):
        size = len(value)
    elif isinstance(value, list | tuple | set | frozenset | dict | range):
        size = value_size(value, limit)
    else:
        return value
    if size > limit:
        raise RenderBudgetExceeded(SystemMessage("render.budget_value", count=f"{limit:,}"))
    return value
