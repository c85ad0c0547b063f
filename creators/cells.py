"""Reading one creators-CSV cell as the importer stores it. Shared with the segment rules
(segments/rules.py) and the other importers, so a value means the same everywhere."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from functools import cache

import phonenumbers

from creators.columns import DEFAULT_MARKET
from creators.geo import state_code_for
from creators.models import ConsentStatus

# TikTok usernames: letters, digits, "_" and "."; at most 24 characters; not ending in ".".
_HANDLE_RE = re.compile(r"[a-z0-9_.]{1,23}[a-z0-9_]")
# A strict subset of what Django's EmailValidator accepts: such addresses skip the validator
# (tests/creators/test_import_fast_paths.py checks Django agrees); others go through it.
_EMAIL_FAST_RE = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_PLAIN_TAG_RE = re.compile(r"[^\"\\\x00-\x1f]*")
_GMV_RE = re.compile(r"\d{1,12}(?:\.\d{1,2})?")
_MARKET_RE = re.compile(r"[A-Z]{2}")
# ISO 8601 as exports write it, which PostgreSQL reads exactly as Python does: date, then
# optionally "T" or space, time, fraction, and "Z" or a ±HH:MM offset (group 1).
_ISO_PLAIN_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?"
)

_CONSENT_VALUES: dict[str, str] = {
    "yes": ConsentStatus.GRANTED,
    "true": ConsentStatus.GRANTED,
    "1": ConsentStatus.GRANTED,
    "sí": ConsentStatus.GRANTED,
    "si": ConsentStatus.GRANTED,
    "no": ConsentStatus.DENIED,
    "false": ConsentStatus.DENIED,
    "0": ConsentStatus.DENIED,
}
_LOCALES = {"es-mx": "es-MX", "en": "en"}
_CONTENT_TYPES = {"video": "video", "live": "live", "both": "both"}
_LEVELS = {str(level): str(level) for level in range(8)}
_MAX_FOLLOWERS = 2**63 - 1


@cache
def _timezones() -> dict[str, str]:
    zones = zoneinfo.available_timezones()
    by_fold = {zone.casefold(): zone for zone in zones}
    by_fold.update({zone: zone for zone in zones})
    return by_fold


@cache
def _mx_phone_fast_re() -> re.Pattern[str]:
    """Canonical Mexican E.164 numbers that phonenumbers itself would call valid.

    Built from phonenumbers' own metadata for MX: the general pattern and every number type's
    pattern, as `is_valid_number` checks them. A string it matches is already normalised and
    valid, so it skips `parse`; anything else takes the full phonenumbers path.
    tests/creators/test_import_phone_fast_path.py checks it agrees with phonenumbers.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("MX")
    assert metadata is not None, "phonenumbers ships metadata for MX"
    general = metadata.general_desc
    assert general is not None, "MX metadata has a general description"
    types = [
        getattr(metadata, name)
        for name in (
            "premium_rate",
            "toll_free",
            "shared_cost",
            "voip",
            "personal_number",
            "pager",
            "uan",
            "voicemail",
            "fixed_line",
            "mobile",
        )
    ]
    lengths = set(general.possible_length)
    patterns = []
    for desc in types:
        if desc is None or not desc.national_number_pattern:
            continue
        desc_lengths = set(desc.possible_length or general.possible_length)
        if desc_lengths == {-1}:
            continue
        for length in sorted(desc_lengths & lengths):
            patterns.append(rf"(?=\d{{{length}}}$)(?:{desc.national_number_pattern})")
    return re.compile(
        rf"\+{metadata.country_code}(?=(?:{general.national_number_pattern})$)(?:{'|'.join(patterns)})$"
    )


# What separates digits in a written phone number: spaces (also Excel's no-break space),
# dashes, dots, parentheses and slashes. Removed before the fast path looks at the digits.
_PHONE_SEPARATORS = str.maketrans("", "", " \u00a0\t-.()/")
# Mexican mobiles as people still write them: WhatsApp's `+52 1` and the old domestic
# `044`/`045` mobile prefixes, before ten digits. Mexico dropped both in 2019-2020; the
# number is the same `+52` and ten digits.
_MX_LEGACY_RE = re.compile(r"(?:\+?521|04[45])(\d{10})")
_MX_PLAIN_RE = re.compile(r"(?:\+?52)?(\d{10})")


def _phone_normalise(value: str) -> str | None:
    """The E.164 form of `value` (default region MX), or None if phonenumbers calls it invalid.

    Fast path first: with separators removed, a Mexican number written `+52…`, `52…`, ten
    national digits, or in the legacy mobile forms `+521…`/`521…`/`044…`/`045…` is checked by a
    regex built from phonenumbers' own MX metadata (`_mx_phone_fast_re`). Only what that does
    not settle (foreign numbers, typos) goes through `phonenumbers` (~50 µs a number)."""
    fast = _mx_phone_fast_re().match
    if fast(value):
        return value
    digits = value.translate(_PHONE_SEPARATORS)
    match = _MX_PLAIN_RE.fullmatch(digits) or _MX_LEGACY_RE.fullmatch(digits)
    if match is not None:
        candidate = "+52" + match[1]
        if fast(candidate):
            return candidate
    try:
        number = phonenumbers.parse(value, DEFAULT_MARKET)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- Reading one cell: shared with the segment rules (segments/rules.py), so a rule value is
# read exactly as the importer reads the same column. Each takes a stripped, non-blank cell
# and returns the value Altavoz stores, or None when the importer would refuse the cell.


def handle_read(value: str) -> str | None:
    """A TikTok handle as stored: lower case, without a leading "@"."""
    handle = value.lower().removeprefix("@")
    return handle if _HANDLE_RE.fullmatch(handle) else None


def phone_read(value: str) -> str | None:
    """A phone number in E.164 (default region MX)."""
    return _phone_normalise(value)


def locale_read(value: str) -> str | None:
    """es-MX or en, whatever the case and "_" or "-"."""
    return _LOCALES.get(value.replace("_", "-").lower())


def timezone_read(value: str) -> str | None:
    """An IANA time zone name, case ignored."""
    zones = _timezones()
    return zones.get(value) or zones.get(value.casefold())


def market_read(value: str) -> str | None:
    """A two-letter country code, upper case."""
    market = value.upper()
    return market if _MARKET_RE.fullmatch(market) else None


def state_read(value: str) -> str | None:
    """A Mexican state's code from its code or name, accents and case ignored."""
    return state_code_for(value)


def content_type_read(value: str) -> str | None:
    """video, live or both, case ignored."""
    return _CONTENT_TYPES.get(value.lower())


def consent_read(value: str) -> str | None:
    """granted or denied from yes/no, true/false, 1/0 or sí, case ignored."""
    return _CONSENT_VALUES.get(value.lower())


def _datetime_check(value: str) -> tuple[str | None, str | None]:
    """(aware ISO string, naive ISO string): exactly one is set. Raises ValueError if not ISO.

    Python checks every value (a 31 February raises). One in a shape PostgreSQL reads the same
    is passed on as written: `isoformat()` costs six times the parse, twice a row."""
    moment = datetime.fromisoformat(value)
    plain = _ISO_PLAIN_RE.fullmatch(value)
    if plain is not None:
        return (value, None) if plain[1] else (None, value)
    if moment.tzinfo is None:
        return None, moment.isoformat()
    return moment.isoformat(), None
