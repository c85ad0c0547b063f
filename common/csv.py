"""CSV in and out: what every CSV Altavoz writes or reads goes through.

Out: `csv_writer(file)` is `csv.writer` whose rows are neutralised against CSV (formula)
injection as OWASP's "CSV Injection" page says: a text cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return gets a leading single quote (`'=HYPERLINK(...)`), so a
spreadsheet shows it as text instead of running it. Numbers stay numbers: an int, float or
Decimal value, and a text cell that is exactly a plain decimal number (`-5`, `+3`, `-0.25`),
are written unchanged, because such a cell cannot hold a formula and quoting it would turn
figures like -5 into text. Anything longer (`-5+A1`, `-1e3`, `+52 55...`) is quoted.

In: `csv_has_nul(values)` says whether a row holds a NUL character, which PostgreSQL cannot
store in text; importers reject such a row by its line (`CSV_NUL_MESSAGE`) and keep the rest.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")

CSV_NUL_MESSAGE = _("This line contains a NUL character (byte 0), which cannot be stored.")


def csv_cell_safe(value: Any) -> Any:
    """`value` as it may go into a CSV cell: formula-looking text gets a leading `'`."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER_RE.fullmatch(text):
        return "'" + text
    return text


def csv_row_safe(row: Iterable[Any]) -> list[Any]:
    return [csv_cell_safe(value) for value in row]


class _Writable(Protocol):
    def write(self, value: str, /) -> Any: ...


class SafeCsvWriter:
    """`csv.writer` with every row passed through `csv_row_safe` first."""

    def __init__(self, file: _Writable, **options: Any) -> None:
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row_safe(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file: _Writable, **options: Any) -> SafeCsvWriter:
    """The CSV writer every export uses (options as for `csv.writer`)."""
    return SafeCsvWriter(file, **options)


def csv_has_nul(values: Iterable[Any]) -> bool:
    """Whether any cell of a CSV row holds a NUL character (None cells are fine)."""
    return any(isinstance(value, str) and "\x00" in value for value in values)


def csv_rows_numbered(reader: Any) -> Iterable[tuple[int, Any]]:
    """Each row of a `csv.reader`/`csv.DictReader` with the file line it starts on.

    A quoted cell may span lines, so counting rows would drift: the reader's `line_num` (the
    physical lines read so far) marks where each row ends, and the next row starts one line
    after. The header, if the reader has one, is line 1. Used by every CSV importer."""
    if isinstance(reader, csv.DictReader):
        reader.fieldnames  # noqa: B018  (reads the header, so line_num counts it)
    line_end = reader.line_num
    for row in reader:
        yield line_end + 1, row
        line_end = reader.line_num
