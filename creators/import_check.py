"""Checking one creators-CSV row: every cell read as creators.cells reads it, every problem
recorded with its line and field; what passes becomes a cleaned row for the writers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from creators.cells import (
    _EMAIL_FAST_RE,
    _GMV_RE,
    _LEVELS,
    _MAX_FOLLOWERS,
    _PLAIN_TAG_RE,
    _datetime_check,
    _phone_normalise,
    _timezones,
    consent_read,
    content_type_read,
    handle_read,
    locale_read,
    market_read,
)
from creators.columns import DEFAULT_MARKET
from creators.geo import state_code_for
from creators.import_result import CreatorImportResult

# Index of each value in a cleaned row (what the writers receive).
(
    R_LINE,
    R_HANDLE,
    R_NAME,
    R_EMAIL,
    R_PHONE,
    R_LOCALE,
    R_TIMEZONE,
    R_STATE,
    R_MARKET,
    R_LEVEL,
    R_FOLLOWERS,
    R_GMV,
    R_CATEGORY,
    R_CONTENT_TYPE,
    R_JOINED_AT,
    R_JOINED_LOCAL,
    R_LAST_ACTIVE_AT,
    R_LAST_ACTIVE_LOCAL,
    R_CONSENT_EMAIL,
    R_CONSENT_WHATSAPP,
    R_CONSENT_PUSH,
    R_TAGS,
) = range(22)
_FREE_TEXT = (R_NAME, R_EMAIL, R_STATE, R_CATEGORY, R_TAGS)

Row = list[Any]
Errors = list[tuple[str, str]]


class _RowChecker:
    """Turns one CSV row into a cleaned row for the writers, or records why it can't."""

    def __init__(self, result: CreatorImportResult) -> None:
        self.result = result
        self.state_cache: dict[str, str | None] = {}
        self.zones = _timezones()
        self.messages = {
            "required": _("This field is required."),
            "handle": _(
                "Not a TikTok handle: 2 to 24 letters, digits, '_' or '.', not ending in '.'."
            ),
            "name": _("At most 150 characters."),
            "email": _("Not a valid email address."),
            "phone": _("Not a valid phone number (give it in E.164, e.g. +525512345678)."),
            "locale": _("Unknown language: use es-MX or en."),
            "timezone": _("Unknown time zone: use an IANA name such as America/Mexico_City."),
            "state": _("Unknown Mexican state: use its name or its code (e.g. JAL)."),
            "state_long": _("At most 64 characters."),
            "market": _("Not an ISO country code (two letters, e.g. MX)."),
            "level": _("Level must be a whole number from 0 to 7."),
            "followers": _("Followers must be a whole number, zero or more."),
            "gmv_30d": _("GMV must be a number, zero or more, with at most 2 decimals."),
            "category": _("At most 64 characters."),
            "content_type": _("Content type must be video, live or both."),
            "datetime": _(
                "Not an ISO 8601 date or date-time (e.g. 2024-05-31 or 2024-05-31T18:00)."
            ),
            "consent": _("Consent must be yes/no, true/false, 1/0 or sí (blank: unknown)."),
        }

    def _state(self, value: str) -> str | None:
        cache_ = self.state_cache
        if value in cache_:
            return cache_[value]
        code = state_code_for(value)
        if len(cache_) < 10_000:
            cache_[value] = code
        return code

    def _optional(
        self, cell: str, read: Callable[[str], Any], field_name: str, message: str, errors: Errors
    ) -> Any:
        """A cell that may be blank (None): otherwise `read` gives its value, None if invalid."""
        cell = cell.strip()
        if not cell:
            return None
        value = read(cell)
        if value is None:
            errors.append((field_name, self.messages[message]))
        return value

    def _handle(self, cell: str, errors: Errors) -> str | None:
        handle = cell.strip()
        if not handle or handle == "@":
            errors.append(("handle", self.messages["required"]))
            return handle
        read = handle_read(handle)
        if read is None:
            errors.append(("handle", self.messages["handle"]))
        return read

    def _name(self, cell: str, errors: Errors) -> str:
        name = cell.strip()
        if not name:
            errors.append(("name", self.messages["required"]))
        elif len(name) > 150:
            errors.append(("name", self.messages["name"]))
        return name

    def _email(self, cell: str, errors: Errors) -> str | None:
        email = cell.strip() or None
        if email is not None and (len(email) > 254 or not _EMAIL_FAST_RE.fullmatch(email)):
            try:
                if len(email) > 254:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                errors.append(("email", self.messages["email"]))
        return email

    def _zone_read(self, tz: str) -> str | None:
        return self.zones.get(tz) or self.zones.get(tz.casefold())

    def _market(self, cell: str, errors: Errors) -> str | None:
        market = cell.strip() or None
        if market is None:
            return None
        market_code = market_read(market)
        if market_code is None:
            errors.append(("market", self.messages["market"]))
        return market_code or market.upper()

    def _state_cell(self, cell: str, market: str | None, errors: Errors) -> str | None:
        """A Mexican state's code (in the default market), else the text as written."""
        state = cell.strip() or None
        if state is None:
            return None
        if market is None or market == DEFAULT_MARKET:
            code = self._state(state)
            if code is None:
                errors.append(("state", self.messages["state"]))
            return code
        if len(state) > 64:
            errors.append(("state", self.messages["state_long"]))
        return state

    def _followers(self, cell: str, errors: Errors) -> str | None:
        followers = cell.strip()
        if not followers:
            return None
        if not (followers.isascii() and followers.isdigit()) or int(followers) > _MAX_FOLLOWERS:
            errors.append(("followers", self.messages["followers"]))
        return followers

    def _gmv(self, cell: str, errors: Errors) -> str | None:
        gmv = cell.strip()
        if not gmv:
            return None
        if not _GMV_RE.fullmatch(gmv):
            errors.append(("gmv_30d", self.messages["gmv_30d"]))
        return gmv

    def _category(self, cell: str, errors: Errors) -> str | None:
        category = cell.strip() or None
        if category is not None and len(category) > 64:
            errors.append(("category", self.messages["category"]))
        return category

    def _datetime(self, cell: str, field_name: str, errors: Errors) -> tuple[Any, Any]:
        """(aware, local) of an ISO 8601 cell; (None, None) if blank or invalid."""
        cell = cell.strip()
        if not cell:
            return None, None
        try:
            return _datetime_check(cell)
        except ValueError:
            errors.append((field_name, self.messages["datetime"]))
            return None, None

    def check(self, line: int, values: tuple[str, ...]) -> Row | None:
        """The cleaned row (see R_*), or None with every problem recorded in the result."""
        (
            handle,
            name,
            email,
            phone,
            locale,
            tz,
            state,
            market,
            level,
            followers,
            gmv,
            category,
            content_type,
            joined_at,
            last_active_at,
            consent_email,
            consent_whatsapp,
            consent_push,
            tags,
        ) = values
        errors: Errors = []
        optional = self._optional
        row = [
            line,
            self._handle(handle, errors),
            self._name(name, errors),
            self._email(email, errors),
            optional(phone, _phone_normalise, "phone", "phone", errors),
            optional(locale, locale_read, "locale", "locale", errors),
            optional(tz, self._zone_read, "timezone", "timezone", errors),
        ]
        market_code = self._market(market, errors)
        row += [
            self._state_cell(state, market_code, errors),
            market_code,
            optional(level, _LEVELS.get, "level", "level", errors),
            self._followers(followers, errors),
            self._gmv(gmv, errors),
            self._category(category, errors),
            optional(content_type, content_type_read, "content_type", "content_type", errors),
            *self._datetime(joined_at, "joined_at", errors),
            *self._datetime(last_active_at, "last_active_at", errors),
            optional(consent_email, consent_read, "consent_email", "consent", errors),
            optional(consent_whatsapp, consent_read, "consent_whatsapp", "consent", errors),
            optional(consent_push, consent_read, "consent_push", "consent", errors),
            _tags_json(tags),
        ]
        if errors:
            for field_name, message in errors:
                self.result.error_add(line, field_name, message)
            return None
        return row


def _tags_json(cell: str) -> str | None:
    """The tags of a cell (`;` between them) as a JSON list, without repeats; None if blank."""
    tags = cell.strip()
    if not tags:
        return None
    tag_list = list(dict.fromkeys(tag for tag in map(str.strip, tags.split(";")) if tag))
    if not tag_list:
        return "[]"
    if all(map(_PLAIN_TAG_RE.fullmatch, tag_list)):
        return '["' + '","'.join(tag_list) + '"]'  # what json.dumps gives, faster
    return json.dumps(tag_list, ensure_ascii=False)
