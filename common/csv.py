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

import codecs
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


# --- Reading: what spreadsheets really save ---------------------------------------------------
# Shared by the creators, metric and playbook importers. A file is read as it comes: UTF-8 with
# or without Excel's byte-order mark, UTF-16 (Excel's "Unicode text"), or Windows-1252 (what
# Excel on a Spanish or English Windows saves as "CSV"); `csv_encoding_detect` says which, and
# the importer reports it. Problems are stored as codes with parameters (`csv_problem`) and
# rendered in the reader's language when shown (`csv_problem_message`).

ENCODING_LABELS: dict[str, Any] = {
    "utf-8": _("UTF-8"),
    "utf-8-sig": _("UTF-8 with a byte-order mark"),
    "utf-16": _("UTF-16"),
    "utf-16-le": _("UTF-16"),
    "utf-16-be": _("UTF-16"),
    "cp1252": _("Windows-1252 (Excel on Windows)"),
}
SAMPLE_BYTES = 64 * 1024

CSV_PROBLEMS: dict[str, Any] = {
    "csv_broken": _("Broken CSV quoting on this line: check its quotes."),
    "undecodable": _("This line cannot be read as %(encoding)s: it has bytes that are not text."),
    "nul": CSV_NUL_MESSAGE,
    "cells_count": _("Expected %(expected)d cells, as in the header, but found %(found)d."),
    "column_unknown": _("Unknown column “%(column)s”: its cells were not imported."),
    "column_repeated": _("The column “%(column)s” appears twice: only the first was read."),
}


def csv_encoding_detect(sample: bytes) -> str:
    """The encoding of a CSV file from its first bytes: one of ENCODING_LABELS' keys.

    A byte-order mark decides; UTF-16 without one shows as NUL bytes in every other place;
    otherwise UTF-8 if the sample decodes as UTF-8 (a character cut at the sample's end is
    fine), else Windows-1252, which decodes almost any byte and is what Excel writes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4096]
    if len(head) >= 4:
        if head[1::2].count(0) * 4 > len(head) and not head[0::2].count(0):
            return "utf-16-le"
        if head[0::2].count(0) * 4 > len(head) and not head[1::2].count(0):
            return "utf-16-be"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(sample) - 3:
            return "utf-8"
    else:
        return "utf-8"
    # Some bytes are not UTF-8. A UTF-8 file with a stray bad line has more lines whose
    # accents are good UTF-8 than bad ones: keep UTF-8 then (the bad lines are reported).
    good = bad = 0
    for line in sample.split(b"\n")[:-1]:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return "utf-8" if good > bad else "cp1252"


def csv_encoding_label(encoding: str) -> str:
    return str(ENCODING_LABELS.get(encoding, encoding))


def csv_delimiter_guess(header: str) -> str:
    """`,`, `;` or a tab: whichever the header line has most of (a comma when none)."""
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def csv_decode(raw: bytes) -> tuple[str, str]:
    """A whole small file as text, and the encoding used (see `csv_encoding_detect`).

    Bytes that do not decode become U+FFFD rather than refusing the file; the importers of
    small files (metrics, playbooks) then reject the rows they spoil, by line."""
    encoding = csv_encoding_detect(raw[:SAMPLE_BYTES])
    text = raw.decode(encoding, errors="replace")
    if encoding == "utf-16-le" or encoding == "utf-16-be":
        text = text.lstrip("\ufeff")
    return text, encoding


def csv_problem(line: int, field: str | None, code: str, **params: Any) -> dict[str, Any]:
    """One problem of an import, as stored: a code and its parameters, not a sentence, so it
    shows in the language of whoever reads it (see `csv_problem_message`)."""
    return {"line": line, "field": field, "code": code, "params": params}


def csv_problem_message(problem: dict[str, Any], messages: dict[str, Any]) -> str:
    """The sentence for a stored problem in the active language. `messages` maps the
    importer's own codes; CSV_PROBLEMS' codes are always known. A problem stored before
    codes existed keeps its sentence."""
    code = problem.get("code")
    template = (messages.get(code) or CSV_PROBLEMS.get(code)) if code else None
    if template is None:
        return str(problem.get("message", ""))
    params = dict(problem.get("params") or {})
    if "encoding" in params:
        params["encoding"] = csv_encoding_label(params["encoding"])
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)
