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
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import IO

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from common.csv import CSV_NUL_MESSAGE
from common.exceptions import AltavozError
from creators.columns import HEADER
from creators.import_check import R_HANDLE, Row, _RowChecker
from creators.import_read import _LineDecoder, _raw_lines
from creators.import_result import CreatorImportResult
from creators.import_write import _BackgroundWriter, _PartitionedWriter, _PostgresWriter

CHUNK_ROWS = 10_000


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
