"""Writing checked creator rows: COPY into a staging table, one merge per chunk, on writer
threads that overlap with the checking."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction

from creators.columns import DEFAULT_MARKET, DEFAULT_TIMEZONE
from creators.import_check import R_HANDLE, Row
from creators.models import Creator

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
    name text,
    email text, phone text, locale text, timezone text, state text, market text,
    level smallint, followers bigint, gmv_30d numeric(14, 2), category text, content_type text,
    joined_at timestamptz, joined_local timestamp,
    last_active_at timestamptz, last_active_local timestamp,
    consent_email text, consent_whatsapp text, consent_push text,
    tags jsonb
) ON COMMIT DELETE ROWS
"""

# The creator columns an import writes (created_at and updated_at are its timestamp).
_CREATOR_COLUMNS = """handle, name, email, phone, locale, timezone, state, market, level, followers,
        gmv_30d, category, content_type, joined_at, last_active_at, tags,
        consent_email, consent_whatsapp, consent_push, consent_inbox"""

# One statement per chunk. `src` merges each staged row with the creator it updates (blank
# cells keep the old value) and spots the file's later duplicates: a creator whose
# `updated_at` is this import's timestamp was written by an earlier row of the same file.
# `new` inserts the creators `src` did not find with a plain INSERT, and `up` upserts the
# rest; `history` appends a ConsentChange per consent that changed.
#
# `new` skips ON CONFLICT's speculative insertion (an extra probe of the handle index and an
# extra WAL record per row: about a tenth of the insert's cost). A handle another session adds
# between the lookup and the insert makes it fail with a unique violation; the chunk is then
# merged again with `{insert}` upserting every row (_UPSERT_ALL), which settles any such race.
_MERGE_TEMPLATE = f"""
WITH src AS MATERIALIZED (
    SELECT s.line, s.handle, COALESCE(s.name, c.name, '') AS name,
        COALESCE(s.email, c.email, '') AS email,
        COALESCE(s.phone, c.phone, '') AS phone,
        COALESCE(s.locale, c.locale, %(locale)s) AS locale,
        COALESCE(s.timezone, c.timezone, %(tz)s) AS timezone,
        COALESCE(s.state, c.state, '') AS state,
        COALESCE(s.market, c.market, %(market)s) AS market,
        COALESCE(s.level, c.level, 0) AS level,
        COALESCE(s.followers, c.followers, 0) AS followers,
        -- gmv_30d is derived from the gmv metrics (programs/gmv.py): a file's column is
        -- ignored, so a creator keeps the figure the metrics give (0 for a new one).
        COALESCE(c.gmv_30d, 0) AS gmv_30d,
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
{{insert}}
up AS (
    INSERT INTO creators_creator ({_CREATOR_COLUMNS}, created_at, updated_at)
    SELECT {_CREATOR_COLUMNS}, %(now)s, %(now)s
    FROM src WHERE NOT duplicate {{upsert_filter}}
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
    -- New creators: their known consents (`new` and `up` return the ids).
    SELECT added.id, v.channel, v.status, 'import', %(now)s
    FROM {{added}} CROSS JOIN LATERAL (VALUES
        ('email', added.consent_email), ('whatsapp', added.consent_whatsapp),
        ('push', added.consent_push)
    ) AS v(channel, status)
    WHERE added.created AND v.status <> 'unknown'
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
    (SELECT count(*) FROM {{added}} WHERE created),
    (SELECT count(*) FROM up WHERE NOT created),
    (SELECT count(*) FROM history),
    (SELECT COALESCE(array_agg(line ORDER BY line), '{{{{}}}}') FROM src WHERE duplicate)
"""

_MERGE_SQL = _MERGE_TEMPLATE.format(
    insert=f"""new AS (
    INSERT INTO creators_creator ({_CREATOR_COLUMNS}, created_at, updated_at)
    SELECT {_CREATOR_COLUMNS}, %(now)s, %(now)s FROM src WHERE old_id IS NULL
    RETURNING id, true AS created, consent_email, consent_whatsapp, consent_push
),""",
    upsert_filter="AND old_id IS NOT NULL",
    added="(SELECT * FROM new UNION ALL SELECT * FROM up) AS added",
)
_UPSERT_ALL = _MERGE_TEMPLATE.format(insert="", upsert_filter="", added="up AS added")
_SAVEPOINT = "creator_import_merge"

# Run at the start of each chunk's transaction, in one round trip. SET LOCAL: the settings end
# with the transaction, so a borrowed connection gets its own back.
# - jit off: the merge's cost estimate trips JIT compilation, ~30 ms a chunk for nothing;
# - work_mem: the merge's CTEs hold a chunk of wide rows in memory, not in temp files;
# - the DELETE: the staging table is empty already after a commit, not inside a transaction.
_CHUNK_SETUP_SQL = f"""SET LOCAL jit = off;
SET LOCAL work_mem = '64MB';
{_STAGE_DDL};
DELETE FROM {_STAGE}"""


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
        # Each round trip costs the writer thread a wait for the GIL, which the checking thread
        # holds, so the statements go in as few as possible: the setup, the COPY, the merge.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_CHUNK_SETUP_SQL)
            # psycopg formats and escapes each row in C, twice as fast as joining text here.
            with cursor.copy(f"COPY {_STAGE} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            try:
                cursor.execute(f"SAVEPOINT {_SAVEPOINT}; {_MERGE_SQL}", self.params)
                cursor.nextset()  # past the SAVEPOINT's status to the merge's row
            except IntegrityError:  # a handle added meanwhile by another session: upsert all
                cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                cursor.execute(_UPSERT_ALL, self.params)
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
