"""Messages the system writes (a worker's note, a link check's reason) kept as a code with
parameters, and put into words only when shown, in the viewer's language.

A worker runs in the server's default language, and a thread pool in none at all: text
translated there and stored reads in Spanish to an English viewer. So each app declares its
messages once:

    system_messages_define({"campaign.settled": _("All deliveries settled")})

creates `SystemMessage("campaign.settled")` where the message arises, stores
`message.as_json()` if it must outlive the request, and renders with `str(message)` (or
`{{ message }}` in a template) — or `system_message_render(stored)` for the stored form.
Parameters may themselves be messages; plural messages use `ngettext_lazy(..., "count")`.
A parameter that holds a code (a channel) is put into words when shown by the function
registered for its name (`system_message_params_define({"channel": channel_label})`).

A plain text field that holds either a person's or a provider's words, or the system's
(`Delivery.error_message`), stores the bare code, or `message.as_text()` (its JSON) when it
has parameters; `system_message_from_text` tells them apart, and also reads texts stored
before they became codes (`legacy=` when defining).
`tests/test_i18n_leaks.py` renders every defined message in both languages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.utils.functional import Promise

_CATALOGUE: dict[str, Promise] = {}
_LEGACY: dict[str, str] = {}
_PARAM_WORDS: dict[str, Callable[[Any], str]] = {}


def system_messages_define(
    messages: dict[str, Promise], *, legacy: dict[str, str] | None = None
) -> None:
    """Declare codes and their (lazily translated) texts; a code keeps its first text.
    `legacy` maps texts stored before the code existed (in any language) to the code."""
    for code, text in messages.items():
        _CATALOGUE.setdefault(code, text)
    for old, code in (legacy or {}).items():
        _LEGACY.setdefault(old, code)


def system_message_params_define(words: dict[str, Callable[[Any], str]]) -> None:
    """Parameters of these names hold codes, put into words (in the active language) when
    the message is shown: `{"channel": lambda code: str(labels.get(code, code))}`; a key
    `"<code>:<name>"` does it for one message's parameter only."""
    for name, function in words.items():
        _PARAM_WORDS.setdefault(name, function)


def system_messages_all() -> dict[str, Promise]:
    return dict(_CATALOGUE)


class SystemMessage:
    """A code and its parameters; `str()` renders it in the active language."""

    __slots__ = ("code", "params")

    def __init__(self, code: str, **params: Any) -> None:
        if code not in _CATALOGUE:
            raise KeyError(f"undefined system message {code!r}")
        self.code = code
        self.params = params

    def __str__(self) -> str:
        text = _CATALOGUE[self.code]
        if not self.params:
            return str(text)
        params = {}
        for name, value in self.params.items():
            words = _PARAM_WORDS.get(f"{self.code}:{name}") or _PARAM_WORDS.get(name)
            if isinstance(value, SystemMessage):
                value = str(value)
            elif words is not None:
                value = words(value)
            params[name] = value
        return str(text % params)

    def __repr__(self) -> str:
        return f"SystemMessage({self.code!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SystemMessage):
            return (self.code, self.params) == (other.code, other.params)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.code)

    def __contains__(self, text: str) -> bool:
        return text in str(self)

    def as_text(self) -> str:
        """The form for a plain text field: the bare code, or its JSON with parameters."""
        return json.dumps(self.as_json(), ensure_ascii=False) if self.params else self.code

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": {
                name: value.as_json() if isinstance(value, SystemMessage) else value
                for name, value in self.params.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SystemMessage:
        params = {
            name: cls.from_json(value) if isinstance(value, dict) and "code" in value else value
            for name, value in (data.get("params") or {}).items()
        }
        return cls(data["code"], **params)


def system_message_render(data: dict[str, Any] | None) -> str:
    """The stored form (`as_json()`) in the active language; "" for nothing or an unknown
    code (a message whose app was removed)."""
    if not data or data.get("code") not in _CATALOGUE:
        return ""
    return str(SystemMessage.from_json(data))


def system_message_from_text(text: str) -> SystemMessage | None:
    """The system's message kept in a plain text field (its bare code, or a text stored
    before the code existed), or None for anyone else's words."""
    if text.startswith('{"code": '):
        try:
            data = json.loads(text)
        except ValueError:  # cut short by the field's length: show it as it is
            return None
        if isinstance(data, dict) and data.get("code") in _CATALOGUE:
            return SystemMessage.from_json(data)
        return None
    code = text if text in _CATALOGUE else _LEGACY.get(text)
    return SystemMessage(code) if code is not None else None
