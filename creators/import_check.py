"""Checking one creators-CSV row: every cell read as creators.cells reads it, every problem
recorded with its line and field; what passes becomes a cleaned row for the writers."""

from __future__ import annotations

import json
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

    def check(self, line: int, values: tuple[str, ...]) -> Row | None:
        # Each cell is read in place: what is blank or invalid becomes None.
        handle: str | None
        email: str | None
        phone: str | None
        locale: str | None
        tz: str | None
        state: str | None
        market: str | None
        level: str | None
        followers: str | None
        gmv: str | None
        category: str | None
        content_type: str | None
        tags: str | None
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
        errors: list[tuple[str, str]] = []
        msg = self.messages
        _email_fast = _EMAIL_FAST_RE.fullmatch

        handle = handle.strip()
        if not handle or handle == "@":
            errors.append(("handle", msg["required"]))
        else:
            handle = handle_read(handle)
            if handle is None:
                errors.append(("handle", msg["handle"]))

        name = name.strip()
        if not name:
            errors.append(("name", msg["required"]))
        elif len(name) > 150:
            errors.append(("name", msg["name"]))

        email = email.strip() or None
        if email is not None and (len(email) > 254 or not _email_fast(email)):
            try:
                if len(email) > 254:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                errors.append(("email", msg["email"]))

        phone = phone.strip() or None
        if phone is not None:
            phone = _phone_normalise(phone)
            if phone is None:
                errors.append(("phone", msg["phone"]))

        locale = locale.strip()
        if locale:
            locale = locale_read(locale)
            if locale is None:
                errors.append(("locale", msg["locale"]))
        else:
            locale = None

        tz = tz.strip()
        if tz:
            tz = self.zones.get(tz) or self.zones.get(tz.casefold())
            if tz is None:
                errors.append(("timezone", msg["timezone"]))
        else:
            tz = None

        market = market.strip() or None
        if market is not None:
            market_code = market_read(market)
            if market_code is None:
                errors.append(("market", msg["market"]))
            market = market_code or market.upper()

        state = state.strip() or None
        if state is not None:
            if market is None or market == DEFAULT_MARKET:
                code = self._state(state)
                if code is None:
                    errors.append(("state", msg["state"]))
                state = code
            elif len(state) > 64:
                errors.append(("state", msg["state_long"]))

        level = level.strip()
        if level:
            level = _LEVELS.get(level)
            if level is None:
                errors.append(("level", msg["level"]))
        else:
            level = None

        followers = followers.strip()
        if followers:
            if not (followers.isascii() and followers.isdigit()) or int(followers) > _MAX_FOLLOWERS:
                errors.append(("followers", msg["followers"]))
        else:
            followers = None

        gmv = gmv.strip()
        if gmv:
            if not _GMV_RE.fullmatch(gmv):
                errors.append(("gmv_30d", msg["gmv_30d"]))
        else:
            gmv = None

        category = category.strip() or None
        if category is not None and len(category) > 64:
            errors.append(("category", msg["category"]))

        content_type = content_type.strip()
        if content_type:
            content_type = content_type_read(content_type)
            if content_type is None:
                errors.append(("content_type", msg["content_type"]))
        else:
            content_type = None

        joined_aware = joined_local = None
        joined_at = joined_at.strip()
        if joined_at:
            try:
                joined_aware, joined_local = _datetime_check(joined_at)
            except ValueError:
                errors.append(("joined_at", msg["datetime"]))
        active_aware = active_local = None
        last_active_at = last_active_at.strip()
        if last_active_at:
            try:
                active_aware, active_local = _datetime_check(last_active_at)
            except ValueError:
                errors.append(("last_active_at", msg["datetime"]))

        consents: list[str | None] = []
        for field_name, cell in (
            ("consent_email", consent_email),
            ("consent_whatsapp", consent_whatsapp),
            ("consent_push", consent_push),
        ):
            cell = cell.strip()
            if not cell:
                consents.append(None)
                continue
            status = consent_read(cell)
            if status is None:
                errors.append((field_name, msg["consent"]))
            consents.append(status)

        tags = tags.strip()
        if tags:
            tag_list = list(dict.fromkeys(tag for tag in map(str.strip, tags.split(";")) if tag))
            if not tag_list:
                tags = "[]"
            elif all(map(_PLAIN_TAG_RE.fullmatch, tag_list)):
                tags = '["' + '","'.join(tag_list) + '"]'  # what json.dumps gives, faster
            else:
                tags = json.dumps(tag_list, ensure_ascii=False)
        else:
            tags = None

        if errors:
            for field_name, message in errors:
                self.result.error_add(line, field_name, message)
            return None
        return [
            line,
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
            joined_aware,
            joined_local,
            active_aware,
            active_local,
            consents[0],
            consents[1],
            consents[2],
            tags,
        ]
