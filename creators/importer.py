"""Bulk import of creators from CSV: the one importer behind the command, the admin and the API.

`creator_import_csv(file=...)` reads a CSV as spreadsheets save it (UTF-8 with or without a
byte-order mark, UTF-16 or Windows-1252, comma or semicolon; a header on line 1 naming the
columns in any order, see docs/importing.md), checks every row, and upserts the good ones on
`handle` in chunks. It streams: memory stays
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
import gc
import itertools
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from django.db import connection
from django.utils import timezone

from common.csv import csv_delimiter_guess
from common.exceptions import AltavozError
from creators.columns import ALIASES, CONTACT, HEADER, REQUIRED
from creators.import_check import R_HANDLE, Row, _RowChecker
from creators.import_read import _LineDecoder
from creators.import_result import CreatorImportResult, header_problem_message
from creators.import_write import _BackgroundWriter, _PartitionedWriter, _PostgresWriter

CHUNK_ROWS = 10_000


class ImportHeaderInvalid(AltavozError):
    """The file cannot be imported at all: no header, or no handle or contact column in it.

    `code` and `params` say why without a sentence, so a queued job can store them and show
    the reason in the reader's language (`str(error)` is in the active language)."""

    def __init__(self, *, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(header_problem_message(code, params))


def _header_columns(reader: Iterator[list[str]]) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportHeaderInvalid(code="empty") from None
    except csv.Error:
        raise ImportHeaderInvalid(code="not_csv") from None
    columns = []
    for column in header:
        name = " ".join(column.strip().lower().split())
        columns.append(ALIASES.get(name, name))
    return columns


def _header_layout(
    columns: list[str], result: CreatorImportResult
) -> Callable[[list[str]], tuple[str, ...]]:
    """Checks the header and returns what picks a row's cells in HEADER's order (a column the
    file lacks gives ""). Unknown and repeated columns are warnings on line 1."""
    missing = [name for name in REQUIRED if name not in columns]
    if not any(name in columns for name in CONTACT):
        missing.append(" / ".join(CONTACT))
    if missing:
        raise ImportHeaderInvalid(code="missing", columns=missing)
    blank = len(columns)  # the index of the "" appended to every row
    for index, name in enumerate(columns):
        if name not in HEADER:
            result.warning_add(1, name, "column_unknown", column=name)
        elif columns.index(name) != index:
            result.warning_add(1, name, "column_repeated", column=name)
    return itemgetter(*[columns.index(name) if name in columns else blank for name in HEADER])


def creator_import_csv(
    *,
    file: IO[bytes] | str | Path,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, CreatorImportResult], None] | None = None,
) -> CreatorImportResult:
    """Import creators from a CSV file (path or binary file object); see docs/importing.md.

    Raises ImportHeaderInvalid when the header has no handle or contact column: nothing is
    imported then. Otherwise every good row lands, chunk by chunk (each chunk is one
    transaction); every rejected row is in `errors` and every cell dropped from a row that
    landed in `warnings`, with its line number, field and reason.
    `progress(lines_read, result)` is called after each chunk is handed to the writer (once per
    `chunk_rows` good rows, so it costs nothing measurable); `result` holds the counts so far.
    """
    result = CreatorImportResult()
    decoder = _LineDecoder(file)
    try:
        result.encoding = decoder.encoding
        first_line = next(iter_lines := iter(decoder), "")
        if not first_line.strip():
            raise ImportHeaderInvalid(code="empty")
        reader = csv.reader(
            itertools.chain([first_line], iter_lines),
            delimiter=csv_delimiter_guess(first_line),
            strict=True,
        )
        columns = _header_columns(reader)
        if 1 in decoder.bad_lines:
            raise ImportHeaderInvalid(code="undecodable", encoding=decoder.encoding)
        pick = _header_layout(columns, result)
        with _interpreter_tuned_for_import():
            _rows_import(reader, decoder, pick, len(columns), result, chunk_rows, progress)
    finally:
        decoder.close()
    result.encoding = decoder.encoding  # a file can turn out to be Windows-1252 further down
    result.errors.sort(key=itemgetter("line"))
    result.warnings.sort(key=itemgetter("line"))
    return result


class _InterpreterTuning:
    """Two interpreter settings for the length of an import, restored after.

    - The cyclic garbage collector is paused. Rows hold no reference cycles (reference counting
      frees each one), yet each chunk's tens of thousands of new lists set the collector off
      again and again: about 15% of the checking thread's CPU.
    - The GIL switch interval drops from 5 ms to 0.5 ms. The checking thread is busy in
      Python the whole time; each writer thread needs the GIL back after every round trip to
      PostgreSQL, and waited up to 5 ms for it, leaving its backend idle about a third of the
      time (pg_stat_activity sampled during bench.import_creators).

    Both settings belong to the process, and two imports may run at once on threads of one
    process: the first to start saves and changes them, the last to end puts them back.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.saved: tuple[bool, float] = (True, 0.005)

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.running == 0:
                self.saved = (gc.isenabled(), sys.getswitchinterval())
                gc.disable()
                sys.setswitchinterval(0.0005)
            self.running += 1
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1
                if self.running == 0:
                    collecting, interval = self.saved
                    sys.setswitchinterval(interval)
                    if collecting:
                        gc.enable()


_interpreter_tuned_for_import = _InterpreterTuning()


def _rows_import(
    reader: Any,
    decoder: _LineDecoder,
    pick: Callable[[list[str]], tuple[str, ...]],
    width: int,
    result: CreatorImportResult,
    chunk_rows: int,
    progress: Callable[[int, CreatorImportResult], None] | None,
) -> None:
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

    def outcomes_collect() -> None:
        for outcome in sink.take_outcomes():
            result.created += outcome.created
            result.updated += outcome.updated
            for line in outcome.duplicate_lines:
                result.rejected += 1
                result.error_add(line, "handle", "duplicate")

    try:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error:
                line, last_line = last_line + 1, reader.line_num
                result.rejected += 1
                result.error_add(line, None, "csv_broken")
                continue
            line, last_line = last_line + 1, reader.line_num
            if not values:
                continue  # a blank line
            if bad_lines and not bad_lines.isdisjoint(range(line, last_line + 1)):
                bad_lines.difference_update(range(line, last_line + 1))
                result.rejected += 1
                result.error_add(line, None, "undecodable", encoding=decoder.encoding)
                continue
            if nul_lines and not nul_lines.isdisjoint(range(line, last_line + 1)):
                nul_lines.difference_update(range(line, last_line + 1))
                result.rejected += 1
                result.error_add(line, None, "nul")
                continue
            if len(values) != width:
                if len(values) < width or any(map(str.strip, values[width:])):
                    result.rejected += 1
                    result.error_add(line, None, "cells_count", expected=width, found=len(values))
                    continue
                del values[width:]  # trailing empty cells, as spreadsheets add
            values.append("")
            row = checker.check(line, pick(values))
            if row is None:
                result.rejected += 1
                continue
            handle = row[R_HANDLE]
            if handle in chunk_handles:
                result.rejected += 1
                result.error_add(line, "handle", "duplicate")
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
