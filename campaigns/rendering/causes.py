"""Why a render failed, as system messages (common/system_messages.py), never as text.

A worker stores a failed delivery's note (`delivery.render_failed`, campaigns/models.py) in
its own language, and the note is read later by someone in theirs; so every cause is a code
with short parameters, nested as the note's `cause`, and put into words only when shown.
The errors this package raises carry theirs as `system_message` (`RenderCauseError`: the
sandbox's refusals, budgets and links, a filter's bad value, a missing snippet), while
`str(error)` reads it in the active language, for the save check and the preview, which run
in a request.

Jinja's own errors are English text: `jinja_error_cause` maps the common shapes (a variable
or field with no value, an attribute the sandbox refuses) to our messages with the name as
a parameter; anything else reads "the template failed while rendering", and its raw text
goes to the log, not to the page.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from jinja2.exceptions import SecurityError, UndefinedError

from common.system_messages import SystemMessage, system_messages_define

logger = logging.getLogger(__name__)

# A parameter taken from a template or a creator's data (a name, a URL) is cut to this, so
# the note stays well within `Delivery.error_message` (500 characters of JSON).
MAX_PARAM_CHARS = 60

system_messages_define(
    {
        # The kinds of failure, each with the detail below as `detail`.
        "render.over_budget": _("over the rendering budget: %(detail)s"),
        "render.not_allowed": _("not allowed: %(detail)s"),
        "render.undefined": _("undefined value: %(detail)s"),
        "render.failed": _("the template failed while rendering"),
        # Over the rendering budget (budget.py, environment.py).
        "render.budget_time": _("the message took too long to render"),
        "render.budget_loops": _("loops ran more than %(count)s times in all"),
        "render.budget_field": _(
            "the text would be longer than this field allows (%(count)s characters)"
        ),
        "render.budget_value": _("a value would be longer than %(count)s characters or items"),
        "render.budget_missing": _("a message template must be rendered under a budget"),
        "render.budget_int_bits": _("numbers are limited to %(bits)s bits (%(digits)s digits)"),
        "render.result_too_long": _(
            "the result would be longer than %(count)s characters or items"
        ),
        # Refused by the sandbox (environment.py, and Jinja's own sandbox).
        "render.exponent": _("exponents above %(count)s are not allowed"),
        "render.format_width": _("format widths above %(count)s are not allowed"),
        "render.range": _("range() is limited to %(count)s items"),
        "render.indent": _("indent is limited to %(count)s"),
        "render.count_limited": _("%(name)s() is limited to %(count)s"),
        "render.method": _("method “%(name)s()” is not available"),
        "render.attribute": _("the attribute “%(name)s” cannot be used"),
        "render.call": _("this cannot be called as a function"),
        # A value the template needs that is not there (Jinja's UndefinedError).
        "render.undefined_variable": _("the variable “%(name)s” is not defined"),
        "render.undefined_field": _("there is no field “%(name)s”"),
        "render.undefined_item": _("there is no item %(name)s"),
        # A filter given what it cannot read (environment.py).
        "render.not_a_number": _("“%(value)s” is not a number"),
        "render.not_a_date": _("“%(value)s” is not a date"),
        # Links (links.py) and snippets (snippets.py).
        "render.link_not_web": _(
            "“%(url)s” is not a web link: links must start with http:// or https://, or be an "
            "app link (%(schemes)s)"
        ),
        "render.link_slug": _(
            "“%(slug)s” is not an education item's slug (letters, digits, - and _ only)"
        ),
        "render.snippet_missing": _("unknown snippet “%(slug)s”"),
    }
)


def cause_param(value: Any) -> str:
    """A text taken from the template or a creator's data, short enough for a note."""
    text = str(value)
    return text if len(text) <= MAX_PARAM_CHARS else text[: MAX_PARAM_CHARS - 1] + "…"


class RenderCauseError(Exception):
    """An error of a render that carries why as `system_message`; `str()` reads it in the
    active language."""

    def __init__(self, message: SystemMessage) -> None:
        super().__init__(message)
        self.system_message = message

    def __str__(self) -> str:
        return str(self.system_message)


class RenderRefused(RenderCauseError, SecurityError):
    """Something our sandbox refuses a template (a budget, a size, a method, a link)."""


class RenderValueError(RenderCauseError, ValueError):
    """A filter given a value it cannot read (`"abc"|mxn`)."""


# The shapes of Jinja 3's messages (jinja2/runtime.py Undefined, jinja2/sandbox.py).
_UNDEFINED_VARIABLE = re.compile(r"""^(['"])(?P<name>.+)\1 is undefined$""", re.S)
_UNDEFINED_FIELD = re.compile(r"""^(['"]).*\1 has no attribute (['"])(?P<name>.+)\2$""", re.S)
_UNDEFINED_ITEM = re.compile(r"^.+ has no element (?P<name>.+)$", re.S)
_UNSAFE_ATTRIBUTE = re.compile(
    r"""^access to attribute (['"])(?P<name>.+?)\1 of .+ object is unsafe\.$""", re.S
)
_NOT_CALLABLE = re.compile(r"^.+ is not safely callable$", re.S)


def jinja_error_cause(error: BaseException) -> SystemMessage | None:
    """Our message for one of Jinja's own errors, or None if its shape is not known."""
    text = str(error)
    if isinstance(error, UndefinedError):
        for pattern, code in (
            (_UNDEFINED_VARIABLE, "render.undefined_variable"),
            (_UNDEFINED_FIELD, "render.undefined_field"),
            (_UNDEFINED_ITEM, "render.undefined_item"),
        ):
            found = pattern.match(text)
            if found:
                detail = SystemMessage(code, name=cause_param(found.group("name")))
                return SystemMessage("render.undefined", detail=detail)
    if isinstance(error, SecurityError):
        found = _UNSAFE_ATTRIBUTE.match(text)
        if found:
            detail = SystemMessage("render.attribute", name=cause_param(found.group("name")))
            return SystemMessage("render.not_allowed", detail=detail)
        if _NOT_CALLABLE.match(text):
            return SystemMessage("render.not_allowed", detail=SystemMessage("render.call"))
    return None


def render_failed_cause(error: BaseException) -> SystemMessage:
    """`render.failed`, with the error's own (untranslated) text logged for whoever fixes it."""
    logger.warning("render failed with an error no message describes: %r", error)
    return SystemMessage("render.failed")
