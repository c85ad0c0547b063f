"""What every JSON API body shares: text PostgreSQL can store, and one error shape.

`ApiSchema` is the base of every API input schema: each field is searched, however deep,
for text PostgreSQL cannot hold (a lone UTF-16 surrogate such as `"\\ud800"`, or a NUL), and
such input is refused with 400 and the path of the string (`rules.all[0].value`) instead of
failing at the database with a 500. `ErrorOut` is the body of every 4xx answer (config/api.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

# The error type config/api.py recognises; its `ctx.subpath` continues the error's path
# (the model's place in the body) down to the string: `.rules.all[0].value`.
UNSTORABLE_TEXT = "unstorable_text"


def unstorable_text_find(value: Any, path: str = "") -> str | None:
    """The path (`[0].title`, `.all[1].value`) of the first string, or object key, in `value`
    that PostgreSQL cannot store; None when there is none."""
    if isinstance(value, str):
        return None if _storable(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not _storable(key):
                return f"{path}.{key!r}"
            found = unstorable_text_find(item, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = unstorable_text_find(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# The tags of the API's discriminated unions (a message's `channel`): pydantic puts the tag in
# an error's location (`messages[0].push.title`), config/api.py leaves it out of the path.
UNION_TAGS: set[str] = set()


class ApiSchema(Schema):
    """Base of the API's input schemas: unknown fields are refused, and so is unstorable text."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _text_storable(cls, value: Any) -> Any:
        subpath = unstorable_text_find(value)
        if subpath is not None:
            raise PydanticCustomError(
                UNSTORABLE_TEXT,
                _("Text with a lone surrogate or a NUL character cannot be stored."),
                {"subpath": subpath},
            )
        return value


def _text_only(value: Any) -> Any:
    """Dates and times come as ISO 8601 text; pydantic would also take a number (seconds)."""
    if not isinstance(value, str):
        raise PydanticCustomError("iso_text", _("Give the date or time as ISO 8601 text."))
    return value


# Body field types that take only what the schema says: ISO text for dates and times, JSON
# numbers for numbers (not `true`, not "5"), JSON booleans for booleans.
IsoDate = Annotated[date, BeforeValidator(_text_only)]
IsoDateTime = Annotated[datetime, BeforeValidator(_text_only)]
IsoTime = Annotated[time, BeforeValidator(_text_only)]


class ErrorOut(Schema):
    """Every refusal: 400 (invalid input, or an action the data does not allow), 401 (no or
    a bad token), 403 (the role may not), 404 (no such object), 409 (not in this state)."""

    detail: str = Field(..., description="What is wrong and what to do, translated.")
    path: str = Field(
        default="",
        description="The refused field's path in the body or the parameters "
        "(`messages[0].channel`, `rules.all[1].op`); empty when no single field is at fault.",
    )
    errors: list[dict[str, Any]] = Field(
        default=[],
        description="Every problem found: `{path, message}` for invalid input; "
        "`{channel, locale, field, line, message}` for a refused message template; "
        "`{field, line, cause, message}` for a reply's refused WhatsApp template.",
    )


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """`response={201: Out, **error_responses(400, 401, 403)}`: document these refusals."""
    return dict.fromkeys(codes, ErrorOut)
