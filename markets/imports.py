"""Playbooks from CSV: every good row lands (a row for a market and title already known
updates that playbook), every bad row is reported by its line, column and cause.

Columns (header names, any order; `ctr` is accepted for `click_rate`): market, title, kind,
steps are required; cadence, content_formats, incentive, audience, open_rate, click_rate,
completion_rate, uplift, results_source, results_date, notes, tags, applicability are optional.
Rates may carry a trailing “%”, or be written as fractions as Altavoz's stats export writes
them (0.62 is 62 %): when no rate in the file is above 1 and none carries “%”, the file's
rates are fractions. The file may be UTF-8 (with or without a byte-order mark), UTF-16 or
Windows-1252; the report says which. A bad optional cell does not refuse its row: the
playbook lands without it and the cell is listed as a warning. See docs/markets.md."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.selectors import audit_entries
from audit.services import audit_record
from common.csv import (
    CSV_NUL_MESSAGE,
    csv_decode,
    csv_delimiter_guess,
    csv_encoding_label,
    csv_has_nul,
    csv_rows_numbered,
    csv_writer,
)
from markets.exceptions import PlaybookImportInvalid
from markets.forms import RATE_LIMITS, PlaybookForm
from markets.models import Playbook

REQUIRED_COLUMNS = ("market", "title", "kind", "steps")
ALIASES = {"ctr": "click_rate", "or": "open_rate", "completion": "completion_rate"}
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    cause: str


@dataclass
class PlaybookImport:
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # rows refused
    warnings: list[RowProblem] = field(default_factory=list)  # cells left out of rows that landed
    encoding: str = "utf-8"
    rates_as_fractions: bool = False

    @property
    def bad_lines(self) -> list[int]:
        return sorted({problem.line for problem in self.problems})

    @property
    def encoding_label(self) -> str:
        return csv_encoding_label(self.encoding)


def _reader(source: IO[str] | IO[bytes] | str) -> tuple[csv.DictReader, str]:
    if isinstance(source, str):
        text, encoding = source, "utf-8"
    else:
        raw = source.read()
        text, encoding = csv_decode(raw) if isinstance(raw, bytes) else (raw, "utf-8")
    text = text.lstrip("\ufeff")
    return (
        csv.DictReader(io.StringIO(text), delimiter=csv_delimiter_guess(text.split("\n", 1)[0])),
        encoding,
    )


_RATE_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
FRACTION_RATES = ("open_rate", "click_rate", "completion_rate")


def _rates_are_fractions(rows: list[tuple[int, dict[str, str]]]) -> bool:
    """Whether the file writes its rates as fractions (0.62) rather than percentages (62):
    every rate cell is a plain number from 0 to 1, none with “%”, and at least one is given."""
    seen = False
    for _line, row in rows:
        for name in FRACTION_RATES:
            value = row.get(name, "")
            if not value:
                continue
            if "%" in value or not _RATE_NUMBER_RE.fullmatch(value.replace(",", ".")):
                return False
            if not Decimal(0) <= Decimal(value.replace(",", ".")) <= Decimal(1):
                return False
            seen = True
    return seen


def _rate_read(value: str, *, fraction: bool) -> str:
    value = value.rstrip("%").strip().replace(",", ".")
    if fraction and _RATE_NUMBER_RE.fullmatch(value):
        return str((Decimal(value) * 100).quantize(Decimal("0.01")))
    return value


@transaction.atomic
def playbook_import_csv(*, source: IO[str] | IO[bytes] | str, actor: User | None) -> PlaybookImport:
    reader, encoding = _reader(source)
    header = [
        ALIASES.get((name or "").strip().lower(), (name or "").strip().lower())
        for name in (reader.fieldnames or [])
    ]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise PlaybookImportInvalid(
            _("The header lacks required columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    known = set(PlaybookForm.Meta.fields)
    result = PlaybookImport(encoding=encoding)
    for column in dict.fromkeys(header):
        if column and column not in known:
            result.warnings.append(
                RowProblem(
                    1,
                    column,
                    _("Unknown column “%(column)s”: its cells were not imported.")
                    % {"column": column},
                )
            )
    rows: list[tuple[int, dict[str, str]]] = []
    for number, (line, raw) in enumerate(csv_rows_numbered(reader), start=1):
        if number > MAX_ROWS:
            result.problems.append(
                RowProblem(
                    line,
                    "",
                    _("More than %(max)d rows: the rest were not read.") % {"max": MAX_ROWS},
                )
            )
            break
        values = list(raw.values())
        row = {
            column: (value or "").strip()
            for column, value in zip(header, values, strict=False)
            if column in known and isinstance(value, str)
        }
        if not any(row.values()):
            continue  # a blank line
        if raw.get(None):
            result.problems.append(RowProblem(line, "", _("More values than columns.")))
            continue
        if csv_has_nul(raw.values()):
            result.problems.append(RowProblem(line, "", str(CSV_NUL_MESSAGE)))
            continue
        if "\ufffd" in "".join(row.values()):
            result.problems.append(
                RowProblem(
                    line,
                    "",
                    _("This line cannot be read as %(encoding)s.")
                    % {"encoding": csv_encoding_label(encoding)},
                )
            )
            continue
        rows.append((line, row))
    result.rates_as_fractions = _rates_are_fractions(rows)
    for line, row in rows:
        _row_import(line, row, result)
    audit_record(
        actor=actor,
        action="playbook.import",
        target_type="playbook",
        detail={
            "created": result.created,
            "updated": result.updated,
            "bad_lines": result.bad_lines,
            "cells_left_out": len(result.warnings),
            "encoding": result.encoding,
        },
    )
    return result


def _row_import(line: int, row: dict[str, str], result: PlaybookImport) -> None:
    """Save one row; a bad optional cell is left out (a warning) and the row tried again."""
    row["market"] = row.get("market", "").upper()
    row["kind"] = row.get("kind", "").lower()
    for name in RATE_LIMITS:
        row[name] = _rate_read(
            row.get(name, ""), fraction=result.rates_as_fractions and name in FRACTION_RATES
        )
    existing = Playbook.objects.filter(market_id=row["market"], title=row.get("title")).first()
    form = PlaybookForm(row, instance=existing)
    dropped: list[RowProblem] = []
    if not form.is_valid():
        optional = [
            column
            for column in form.errors
            if column != "__all__" and not form.fields[column].required
        ]
        if optional and len(optional) == len(form.errors):
            # Left out: a new playbook goes without it, an existing one keeps what it has.
            kept = PlaybookForm(instance=existing).initial if existing is not None else {}
            for column in optional:
                dropped += [RowProblem(line, column, str(cause)) for cause in form.errors[column]]
                value = kept.get(column)
                row[column] = "" if value is None else str(value)
            form = PlaybookForm(row, instance=existing)
    if not form.is_valid():
        for column, errors in form.errors.items():
            for cause in errors:
                result.problems.append(
                    RowProblem(line, "" if column == "__all__" else column, str(cause))
                )
        return
    form.save()
    result.warnings += dropped
    if existing is None:
        result.created += 1
    else:
        result.updated += 1


SAMPLE_ROWS: tuple[dict[str, str], ...] = (
    {
        "market": "BR",
        "title": "Recordatorio de misión por WhatsApp",
        "kind": "mission",
        "steps": "whatsapp@0:announce;push@3:remind;email@6:recap",
        "cadence": "weekly",
        "open_rate": "48.5",
        "click_rate": "12.1",
        "completion_rate": "35",
        "uplift": "18",
        "results_source": "Shop BR creator report",
        "results_date": "2026-05-01",
        "notes": "Notas de voz cortas",
        "tags": "whatsapp, misiones",
        "applicability": "4",
    },
    {
        "market": "CO",
        "title": "Reto de ventas",
        "kind": "competition",
        "steps": "whatsapp@0:announce;whatsapp@5:leaderboard",
        "open_rate": "52%",
        "click_rate": "14%",
        "uplift": "6",
        "applicability": "3",
    },
)


def playbook_import_sample_write(out: Any) -> None:
    """The sample file the import page offers (UTF-8 with a byte-order mark, for Excel)."""
    out.write(codecs.BOM_UTF8.decode())
    writer = csv_writer(out)
    writer.writerow(PlaybookForm.Meta.fields)
    writer.writerows(
        [row.get(name, "") for name in PlaybookForm.Meta.fields] for row in SAMPLE_ROWS
    )


def playbook_imports_recent(*, limit: int = 20) -> QuerySet[AuditEntry]:
    """The last playbook imports, from the audit log (who, when, what they did)."""
    return audit_entries(action="playbook.import")[:limit]
