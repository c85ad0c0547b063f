"""Checking one creators-CSV row: every cell read as creators.cells reads it, every problem
recorded with its line and field; what passes becomes a cleaned row for the writers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

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

Row = list[Any]
# (field, code) of each problem of a row; `_RowChecker.check` decides which reject the row.
Problems = list[tuple[str, str]]

_FOLLOWERS_SHORT_RE = re.compile(r"(\d{1,12}(?:[.,]\d{1,3})?)\s*([kKmM])")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+")
_MONEY_RE = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?")


class _RowChecker:
    """Turns one CSV row into a cleaned row for the writers, or records why it can't.

    Only the handle and a contact address (email or phone) are needed: a bad optional cell
    is dropped (the creator lands without it, as if the cell were blank) and recorded as a
    warning; a bad handle, or a row left with no usable contact address, rejects the row.
    """

    def __init__(self, result: CreatorImportResult) -> None:
        self.result = result
        self.state_cache: dict[str, str | None] = {}
        self.zones = _timezones()
        # One cache per small column, for _small.
        self.caches: list[dict[str, tuple[Any, bool]]] = [{} for _ in range(7)]

    def _state(self, value: str) -> str | None:
        cache_ = self.state_cache
        if value in cache_:
            return cache_[value]
        code = state_code_for(value)
        if len(cache_) < 10_000:
            cache_[value] = code
        return code

    def _optional(
        self, cell: str, read: Callable[[str], Any], field_name: str, code: str, problems: Problems
    ) -> Any:
        """A cell that may be blank (None): otherwise `read` gives its value, None if invalid."""
        cell = cell.strip()
        if not cell:
            return None
        value = read(cell)
        if value is None:
            problems.append((field_name, code))
        return value

    def _small(
        self,
        cell: str,
        cache: dict[str, tuple[Any, bool]],
        read: Callable[[str], Any],
        field_name: str,
        code: str,
        problems: Problems,
    ) -> Any:
        """`_optional` for a column with few distinct values (language, zone, level, consent):
        each distinct cell is read once and remembered, as (value, is it bad)."""
        hit = cache.get(cell)
        if hit is None:
            stripped = cell.strip()
            value = read(stripped) if stripped else None
            hit = (value, bool(stripped) and value is None)
            if len(cache) < 4096:
                cache[cell] = hit
        if hit[1]:
            problems.append((field_name, code))
        return hit[0]

    def _handle(self, cell: str, problems: Problems) -> str | None:
        handle = cell.strip()
        if not handle or handle == "@":
            problems.append(("handle", "required"))
            return None
        read = handle_read(handle)
        if read is None:
            problems.append(("handle", "handle"))
        return read

    def _name(self, cell: str, problems: Problems) -> str | None:
        name = cell.strip()
        if not name:
            return None
        if len(name) > 150:
            problems.append(("name", "name"))
            return None
        return name

    def _email(self, cell: str, problems: Problems) -> str | None:
        email = cell.strip() or None
        if email is not None and (len(email) > 254 or not _EMAIL_FAST_RE.fullmatch(email)):
            try:
                if len(email) > 254:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                problems.append(("email", "email"))
                return None
        return email

    def _zone_read(self, tz: str) -> str | None:
        return self.zones.get(tz) or self.zones.get(tz.casefold())

    def _market(self, cell: str, problems: Problems) -> str | None:
        market = cell.strip() or None
        if market is None:
            return None
        market_code = market_read(market)
        if market_code is None:
            problems.append(("market", "market"))
        return market_code

    def _state_cell(self, cell: str, market: str | None, problems: Problems) -> str | None:
        """A Mexican state's code (in the default market), else the text as written."""
        state = cell.strip() or None
        if state is None:
            return None
        if market is None or market == DEFAULT_MARKET:
            code = self._state(state)
            if code is None:
                problems.append(("state", "state"))
            return code
        if len(state) > 64:
            problems.append(("state", "state_long"))
            return None
        return state

    def _followers(self, cell: str, problems: Problems) -> str | None:
        followers = cell.strip()
        if not followers:
            return None
        if followers.isascii() and followers.isdigit() and int(followers) <= _MAX_FOLLOWERS:
            return followers
        read = _followers_read(followers)
        if read is None:
            problems.append(("followers", "followers"))
        return read

    def _gmv(self, cell: str, problems: Problems) -> str | None:
        gmv = cell.strip()
        if not gmv:
            return None
        if _GMV_RE.fullmatch(gmv):
            return gmv
        money = _MONEY_RE.fullmatch(gmv)
        if money is not None:
            read = money[1].replace(",", "") + (money[2] or "")
            if _GMV_RE.fullmatch(read):
                return read
        problems.append(("gmv_30d", "gmv_30d"))
        return None

    def _category(self, cell: str, problems: Problems) -> str | None:
        category = cell.strip() or None
        if category is not None and len(category) > 64:
            problems.append(("category", "category"))
            return None
        return category

    def _datetime(self, cell: str, field_name: str, problems: Problems) -> tuple[Any, Any]:
        """(aware, local) of an ISO 8601 cell; (None, None) if blank or invalid."""
        cell = cell.strip()
        if not cell:
            return None, None
        try:
            return _datetime_check(cell)
        except ValueError:
            problems.append((field_name, "datetime"))
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
        problems: Problems = []
        small = self._small
        c_locale, c_tz, c_level, c_content, c_email, c_whatsapp, c_push = self.caches
        market_code = self._market(market, problems)
        row = [
            line,
            self._handle(handle, problems),
            self._name(name, problems),
            self._email(email, problems),
            self._optional(phone, _phone_normalise, "phone", "phone", problems),
            small(locale, c_locale, locale_read, "locale", "locale", problems),
            small(tz, c_tz, self._zone_read, "timezone", "timezone", problems),
            self._state_cell(state, market_code, problems),
            market_code,
            small(level, c_level, _LEVELS.get, "level", "level", problems),
            self._followers(followers, problems),
            self._gmv(gmv, problems),
            self._category(category, problems),
            small(
                content_type, c_content, content_type_read, "content_type", "content_type", problems
            ),
            *self._datetime(joined_at, "joined_at", problems),
            *self._datetime(last_active_at, "last_active_at", problems),
            small(consent_email, c_email, consent_read, "consent_email", "consent", problems),
            small(
                consent_whatsapp, c_whatsapp, consent_read, "consent_whatsapp", "consent", problems
            ),
            small(consent_push, c_push, consent_read, "consent_push", "consent", problems),
            _tags_json(tags),
        ]
        reachable = row[R_EMAIL] is not None or row[R_PHONE] is not None
        if row[R_HANDLE] is None or not reachable:
            # Rejected: every problem of the row is an error, so all can be fixed at once.
            for field_name, code in problems:
                self.result.error_add(line, field_name, code)
            if not reachable and row[R_HANDLE] is not None:
                self.result.error_add(line, None, "contact_required")
            return None
        for field_name, code in problems:
            self.result.warning_add(line, field_name, code)
        return row


def _followers_read(cell: str) -> str | None:
    """Followers as exports write them: `12,500` or `12.5K`/`1.2M`, as whole digits."""
    if _THOUSANDS_RE.fullmatch(cell):
        return cell.replace(",", "")
    short = _FOLLOWERS_SHORT_RE.fullmatch(cell)
    if short is None:
        return None
    number = Decimal(short[1].replace(",", "."))
    scale = 1_000 if short[2] in "kK" else 1_000_000
    return str(int(number * scale))


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
