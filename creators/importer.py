"""Bulk import of creators from CSV: the one importer behind the command, the admin and the API.

`creator_import_csv(file=...)` reads a UTF-8 CSV (header on line 1, see docs/importing.md),
checks every row, and upserts the good ones on `handle` in chunks. It streams: memory stays
flat however long the file is, because rows are read, checked and written one chunk at a
time, and the "same handle twice in one file" check uses the database, not a set in memory.

Writing is bulk: each chunk is COPYed into a temporary staging table and merged with one
`INSERT ... SELECT ... ON CONFLICT (handle) DO UPDATE` that also writes the consent history,
on writer threads that overlap with the checking (two connections split by handle hash, or
the caller's own connection inside a transaction).

Blank cells mean "not given": a new creator gets the model default, an existing creator keeps
what Altavoz already has. So a blank consent cell never erases a recorded choice.
"""

from __future__ import annotations

import csv
import json
import queue
import re
import threading
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.csv import CSV_NUL_MESSAGE
from common.exceptions import AltavozError
from creators.columns import HEADER
from creators.geo import state_code_for
from creators.models import ConsentStatus, Creator

CHUNK_ROWS = 10_000
ERROR_LIMIT = 1_000
DEFAULT_TIMEZONE = "America/Mexico_City"
DEFAULT_MARKET = "MX"

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
_COPY_SPECIAL_RE = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

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


class ImportHeaderInvalid(AltavozError):
    """The file cannot be imported at all: no header, or columns missing from it."""

    def __init__(self, *, missing: Iterable[str] = (), reason: str = "") -> None:
        missing = list(missing)
        if missing:
            message = _("The CSV header lacks the columns: %(columns)s. Expected: %(header)s.") % {
                "columns": ", ".join(missing),
                "header": ",".join(HEADER),
            }
        else:
            message = reason
        super().__init__(message)
        self.missing = missing


@dataclass
class CreatorImportResult:
    """What an import did. `errors` keeps the first ERROR_LIMIT problems; `rejected` counts all."""

    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0

    def error_add(self, line: int, field_name: str | None, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < ERROR_LIMIT:
            self.errors.append({"line": line, "field": field_name, "message": str(message)})

    @property
    def errors_truncated(self) -> bool:
        return self.errors_total > len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "errors": self.errors,
        }


# --- Reading ----------------------------------------------------------------------------------


class _LineDecoder:
    """Decodes physical lines one by one, so one bad byte costs one row, not the file."""

    def __init__(self, raw_lines: Iterable[bytes]) -> None:
        self._raw_lines = raw_lines
        self.bad_lines: set[int] = set()
        self.nul_lines: set[int] = set()  # lines with a NUL byte, which PostgreSQL cannot store

    def __iter__(self) -> Iterator[str]:
        bad_lines, nul_lines = self.bad_lines, self.nul_lines
        for number, raw in enumerate(self._raw_lines, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # Excel's byte-order mark
            if b"\x00" in raw:
                nul_lines.add(number)
            try:
                yield raw.decode()
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode(errors="replace")


def _raw_lines(file: IO[bytes] | str | Path) -> Iterator[bytes]:
    if isinstance(file, str | Path):
        with open(file, "rb") as handle:
            yield from handle
        return
    inner = getattr(file, "file", file)  # Django's UploadedFile wraps the real file object
    if hasattr(inner, "seek"):
        inner.seek(0)
    for raw in inner:
        yield raw if isinstance(raw, bytes) else raw.encode()


# --- Checking ---------------------------------------------------------------------------------


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
    general = metadata.general_desc
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


def _phone_normalise(value: str) -> str | None:
    """The E.164 form of `value` (default region MX), or None if phonenumbers calls it invalid."""
    if _mx_phone_fast_re().match(value):
        return value
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
    """(aware ISO string, naive ISO string): exactly one is set. Raises ValueError if not ISO."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return None, moment.isoformat()
    return moment.isoformat(), None


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

    def check(self, line: int, values: tuple[str, ...]) -> Row | None:  # noqa: C901
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


# --- Writing ----------------------------------------------------------------------------------

_STAGE = "creator_import_stage"
_STAGE_COLUMNS = (
    "line",
    "handle",
    "name",
    "email",
    "phone",
    "locale",
    "timezone",
    "state",
    "market",
    "level",
    "followers",
    "gmv_30d",
    "category",
    "content_type",
    "joined_at",
    "joined_local",
    "last_active_at",
    "last_active_local",
    "consent_email",
    "consent_whatsapp",
    "consent_push",
    "tags",
)
_STAGE_DDL = f"""
CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (
    line integer NOT NULL,
    handle text NOT NULL,
    name text NOT NULL,
    email text, phone text, locale text, timezone text, state text, market text,
    level smallint, followers bigint, gmv_30d numeric(14, 2), category text, content_type text,
    joined_at timestamptz, joined_local timestamp,
    last_active_at timestamptz, last_active_local timestamp,
    consent_email text, consent_whatsapp text, consent_push text,
    tags jsonb
) ON COMMIT DELETE ROWS
"""

# One statement per chunk. `src` merges each staged row with the creator it updates (blank
# cells keep the old value) and spots the file's later duplicates: a creator whose
# `updated_at` is this import's timestamp was written by an earlier row of the same file.
# `up` upserts the rest; `history` appends a ConsentChange per consent that changed.
_MERGE_SQL = f"""
WITH src AS MATERIALIZED (
    SELECT s.line, s.handle, s.name,
        COALESCE(s.email, c.email, '') AS email,
        COALESCE(s.phone, c.phone, '') AS phone,
        COALESCE(s.locale, c.locale, %(locale)s) AS locale,
        COALESCE(s.timezone, c.timezone, %(tz)s) AS timezone,
        COALESCE(s.state, c.state, '') AS state,
        COALESCE(s.market, c.market, %(market)s) AS market,
        COALESCE(s.level, c.level, 0) AS level,
        COALESCE(s.followers, c.followers, 0) AS followers,
        COALESCE(s.gmv_30d, c.gmv_30d, 0) AS gmv_30d,
        COALESCE(s.category, c.category, '') AS category,
        COALESCE(s.content_type, c.content_type, %(content_type)s) AS content_type,
        COALESCE(s.joined_at,
                 s.joined_local AT TIME ZONE COALESCE(s.timezone, c.timezone, %(tz)s),
                 c.joined_at) AS joined_at,
        COALESCE(s.last_active_at,
                 s.last_active_local AT TIME ZONE COALESCE(s.timezone, c.timezone, %(tz)s),
                 c.last_active_at) AS last_active_at,
        COALESCE(s.tags, c.tags, '[]'::jsonb) AS tags,
        COALESCE(s.consent_email, c.consent_email, 'unknown') AS consent_email,
        COALESCE(s.consent_whatsapp, c.consent_whatsapp, 'unknown') AS consent_whatsapp,
        COALESCE(s.consent_push, c.consent_push, 'unknown') AS consent_push,
        COALESCE(c.consent_inbox, 'granted') AS consent_inbox,
        c.id AS old_id,
        c.consent_email AS old_email,
        c.consent_whatsapp AS old_whatsapp,
        c.consent_push AS old_push,
        c.updated_at IS NOT DISTINCT FROM %(now)s AS duplicate
    FROM {_STAGE} s
    -- OFFSET 0 keeps this an index lookup per staged row: a hash join would scan all creators.
    LEFT JOIN LATERAL (
        SELECT * FROM creators_creator c WHERE c.handle = s.handle OFFSET 0
    ) c ON true
),
up AS (
    INSERT INTO creators_creator (
        handle, name, email, phone, locale, timezone, state, market, level, followers,
        gmv_30d, category, content_type, joined_at, last_active_at, tags,
        consent_email, consent_whatsapp, consent_push, consent_inbox, created_at, updated_at)
    SELECT handle, name, email, phone, locale, timezone, state, market, level, followers,
        gmv_30d, category, content_type, joined_at, last_active_at, tags,
        consent_email, consent_whatsapp, consent_push, consent_inbox, %(now)s, %(now)s
    FROM src WHERE NOT duplicate
    ON CONFLICT (handle) DO UPDATE SET
        name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone,
        locale = EXCLUDED.locale, timezone = EXCLUDED.timezone, state = EXCLUDED.state,
        market = EXCLUDED.market, level = EXCLUDED.level, followers = EXCLUDED.followers,
        gmv_30d = EXCLUDED.gmv_30d, category = EXCLUDED.category,
        content_type = EXCLUDED.content_type, joined_at = EXCLUDED.joined_at,
        last_active_at = EXCLUDED.last_active_at, tags = EXCLUDED.tags,
        consent_email = EXCLUDED.consent_email, consent_whatsapp = EXCLUDED.consent_whatsapp,
        consent_push = EXCLUDED.consent_push, updated_at = EXCLUDED.updated_at
    WHERE creators_creator.updated_at <> EXCLUDED.updated_at
    RETURNING id, (xmax = 0) AS created, consent_email, consent_whatsapp, consent_push
),
history AS (
    INSERT INTO creators_consentchange (creator_id, channel, status, source, recorded_at)
    -- New creators: their known consents (up returns the ids).
    SELECT up.id, v.channel, v.status, 'import', %(now)s
    FROM up CROSS JOIN LATERAL (VALUES
        ('email', up.consent_email), ('whatsapp', up.consent_whatsapp), ('push', up.consent_push)
    ) AS v(channel, status)
    WHERE up.created AND v.status <> 'unknown'
    UNION ALL
    -- Existing creators: the consents that changed.
    SELECT src.old_id, v.channel, v.status, 'import', %(now)s
    FROM src CROSS JOIN LATERAL (VALUES
        ('email', src.consent_email, src.old_email),
        ('whatsapp', src.consent_whatsapp, src.old_whatsapp),
        ('push', src.consent_push, src.old_push)
    ) AS v(channel, status, old)
    WHERE src.old_id IS NOT NULL AND NOT src.duplicate AND v.status <> v.old
    RETURNING 1
)
SELECT
    (SELECT count(*) FROM up WHERE created),
    (SELECT count(*) FROM up WHERE NOT created),
    (SELECT count(*) FROM history),
    (SELECT COALESCE(array_agg(line ORDER BY line), '{{}}') FROM src WHERE duplicate)
"""


@dataclass
class _ChunkOutcome:
    created: int
    updated: int
    duplicate_lines: list[int]


class _PostgresWriter:
    """COPY into a temporary staging table, then one merge statement per chunk."""

    def __init__(self, now: datetime) -> None:
        self.params = {
            "now": now,
            "locale": Creator._meta.get_field("locale").default,
            "tz": DEFAULT_TIMEZONE,
            "market": DEFAULT_MARKET,
            "content_type": Creator._meta.get_field("content_type").default,
        }

    def write(self, rows: list[Row]) -> _ChunkOutcome:
        buffer = []
        special = _COPY_SPECIAL_RE.search
        for row in rows:
            for index in _FREE_TEXT:
                value = row[index]
                if value is not None and special(value):
                    row[index] = value.translate(_COPY_ESCAPES)
            row[R_LINE] = str(row[R_LINE])
            buffer.append("\t".join(["\\N" if v is None else v for v in row]))
        buffer.append("")
        with transaction.atomic(), connection.cursor() as cursor:
            # The merge's cost estimate trips JIT compilation: ~30 ms a chunk for nothing.
            cursor.execute("SET LOCAL jit = off")
            # The merge's CTEs hold a chunk of wide rows: keep them in memory, not temp files.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(_STAGE_DDL)
            # Empty already after a commit; not when the import runs inside a transaction.
            cursor.execute(f"DELETE FROM {_STAGE}")
            with cursor.copy(f"COPY {_STAGE} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
                copy.write("\n".join(buffer))
            cursor.execute(_MERGE_SQL, self.params)
            created, updated, _history, duplicate_lines = cursor.fetchone()
        return _ChunkOutcome(created, updated, list(duplicate_lines))


class _BackgroundWriter:
    """Writes chunks on a second thread while the caller checks the next chunk.

    PostgreSQL merges on another core while Python checks rows. With `borrow=True` the thread
    borrows the caller's database connection (as Django's LiveServerThread does), so an import
    inside a transaction stays inside it; the caller makes no queries until `close()`.
    Otherwise the thread opens its own connection and closes it at the end. At most one chunk
    waits in the queue, so memory stays flat.
    """

    _STOP = object()

    def __init__(self, writer: _PostgresWriter, *, borrow: bool) -> None:
        self.writer = writer
        self.outcomes: queue.SimpleQueue[_ChunkOutcome] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=1)
        self.borrowed = connections[DEFAULT_DB_ALIAS] if borrow else None
        if self.borrowed is not None:
            self.borrowed.inc_thread_sharing()
        self.thread = threading.Thread(target=self._run, name="creator-import-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        if self.borrowed is not None:
            connections[DEFAULT_DB_ALIAS] = self.borrowed
        try:
            while (rows := self.queue.get()) is not self._STOP:
                if self.error is None:
                    try:
                        self.outcomes.put(self.writer.write(rows))
                    except BaseException as error:  # re-raised in the caller's thread by close()
                        self.error = error
        finally:
            if self.borrowed is None:
                connection.close()

    def put(self, rows: list[Row]) -> None:
        if self.error is not None:
            self.close()
        self.queue.put(rows)

    def take_outcomes(self) -> list[_ChunkOutcome]:
        outcomes = []
        while not self.outcomes.empty():
            outcomes.append(self.outcomes.get())
        return outcomes

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(self._STOP)
            self.thread.join()
            if self.borrowed is not None:
                self.borrowed.dec_thread_sharing()
        if self.error is not None:
            raise self.error


class _PartitionedWriter:
    """Two writers on two connections, each owning the handles of one hash partition.

    A handle always goes to the same writer, and each writer takes its chunks in file order,
    so "the first row of a handle lands" still holds and the writers never contend for a row.
    Used when the import is not inside a transaction (each writer commits its own chunks).
    """

    def __init__(self, writer: _PostgresWriter, *, partitions: int = 2) -> None:
        self.sinks = [_BackgroundWriter(writer, borrow=False) for _ in range(partitions)]

    def put(self, rows: list[Row]) -> None:
        parts: list[list[Row]] = [[] for _ in self.sinks]
        count = len(parts)
        for row in rows:
            parts[hash(row[R_HANDLE]) % count].append(row)
        for sink, part in zip(self.sinks, parts, strict=True):
            if part:
                sink.put(part)

    def take_outcomes(self) -> list[_ChunkOutcome]:
        return [outcome for sink in self.sinks for outcome in sink.take_outcomes()]

    def close(self) -> None:
        errors = []
        for sink in self.sinks:
            try:
                sink.close()
            except BaseException as error:
                errors.append(error)
        if errors:
            raise errors[0]


# --- The importer -----------------------------------------------------------------------------


def _header_columns(reader: Iterator[list[str]]) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportHeaderInvalid(reason=_("The file is empty: it needs a CSV header.")) from None
    except csv.Error as error:
        raise ImportHeaderInvalid(
            reason=_("Line 1 is not CSV: %(error)s") % {"error": error}
        ) from None
    return [column.strip().lower() for column in header]


def creator_import_csv(
    *,
    file: IO[bytes] | str | Path,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, CreatorImportResult], None] | None = None,
) -> CreatorImportResult:
    """Import creators from a CSV file (path or binary file object); see docs/importing.md.

    Raises ImportHeaderInvalid when the header is missing columns: nothing is imported then.
    Otherwise every good row lands, chunk by chunk (each chunk is one transaction), and every
    bad row is in the result with its line number, field and reason.
    `progress(lines_read, result)` is called after each chunk is handed to the writer (once per
    `chunk_rows` good rows, so it costs nothing measurable); `result` holds the counts so far.
    """
    result = CreatorImportResult()
    decoder = _LineDecoder(_raw_lines(file))
    reader = csv.reader(decoder, strict=True)
    columns = _header_columns(reader)
    if 1 in decoder.bad_lines:
        raise ImportHeaderInvalid(reason=_("Line 1 (the header) is not valid UTF-8."))
    missing = [name for name in HEADER if name not in columns]
    if missing:
        raise ImportHeaderInvalid(missing=missing)
    width = len(columns)
    pick = itemgetter(*[columns.index(name) for name in HEADER])

    checker = _RowChecker(result)
    writer = _PostgresWriter(timezone.now())
    sink: _BackgroundWriter | _PartitionedWriter
    if connection.in_atomic_block:
        sink = _BackgroundWriter(writer, borrow=True)
    else:
        sink = _PartitionedWriter(writer)
    bad_lines, nul_lines = decoder.bad_lines, decoder.nul_lines
    chunk: list[Row] = []
    chunk_handles: set[str] = set()
    last_line = 1
    duplicate = _("This handle appears earlier in the file.")

    def outcomes_collect() -> None:
        for outcome in sink.take_outcomes():
            result.created += outcome.created
            result.updated += outcome.updated
            for line in outcome.duplicate_lines:
                result.rejected += 1
                result.error_add(line, "handle", duplicate)

    try:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                line, last_line = last_line + 1, reader.line_num
                result.rejected += 1
                result.error_add(line, None, _("Not valid CSV: %(error)s") % {"error": error})
                continue
            line, last_line = last_line + 1, reader.line_num
            if not values:
                continue  # a blank line
            if bad_lines and not bad_lines.isdisjoint(range(line, last_line + 1)):
                bad_lines.difference_update(range(line, last_line + 1))
                result.rejected += 1
                result.error_add(line, None, _("This line is not valid UTF-8."))
                continue
            if nul_lines and not nul_lines.isdisjoint(range(line, last_line + 1)):
                nul_lines.difference_update(range(line, last_line + 1))
                result.rejected += 1
                result.error_add(line, None, str(CSV_NUL_MESSAGE))
                continue
            if len(values) != width:
                result.rejected += 1
                result.error_add(
                    line,
                    None,
                    _("Expected %(expected)d columns, found %(found)d.")
                    % {"expected": width, "found": len(values)},
                )
                continue
            row = checker.check(line, pick(values))
            if row is None:
                result.rejected += 1
                continue
            handle = row[R_HANDLE]
            if handle in chunk_handles:
                result.rejected += 1
                result.error_add(line, "handle", duplicate)
                continue
            chunk_handles.add(handle)
            chunk.append(row)
            if len(chunk) >= chunk_rows:
                sink.put(chunk)
                chunk, chunk_handles = [], set()
                outcomes_collect()
                if progress is not None:
                    progress(last_line - 1, result)
        if chunk:
            sink.put(chunk)
    finally:
        sink.close()
    outcomes_collect()
    result.errors.sort(key=lambda error: error["line"])
    return result
