"""Playbooks from CSV: every good row lands (a row for a market and title already known
updates that playbook), every bad row is reported by its line, column and cause.

Columns (header names, any order; `ctr` is accepted for `click_rate`): market, title, kind,
steps are required; cadence, content_formats, incentive, audience, open_rate, click_rate,
completion_rate, uplift, results_source, results_date, notes, tags, applicability are optional.
Rates may carry a trailing “%”. See docs/markets.md."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from common.csv import CSV_NUL_MESSAGE, csv_has_nul, csv_rows_numbered
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
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def bad_lines(self) -> list[int]:
        return sorted({problem.line for problem in self.problems})


def _reader(source: IO[str] | IO[bytes] | str) -> csv.DictReader:
    if isinstance(source, str):
        text = source
    else:
        raw = source.read()
        try:
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as error:
            raise PlaybookImportInvalid(_("The file is not UTF-8 text.")) from error
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text), dialect=dialect)


@transaction.atomic
def playbook_import_csv(*, source: IO[str] | IO[bytes] | str, actor: User | None) -> PlaybookImport:
    reader = _reader(source)
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
    result = PlaybookImport()
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
        row["market"] = row.get("market", "").upper()
        row["kind"] = row.get("kind", "").lower()
        for name in RATE_LIMITS:
            row[name] = row.get(name, "").rstrip("%").strip().replace(",", ".")
        existing = Playbook.objects.filter(market_id=row["market"], title=row.get("title")).first()
        form = PlaybookForm(row, instance=existing)
        if not form.is_valid():
            for column, errors in form.errors.items():
                for cause in errors:
                    result.problems.append(
                        RowProblem(line, "" if column == "__all__" else column, str(cause))
                    )
            continue
        form.save()
        if existing is None:
            result.created += 1
        else:
            result.updated += 1
    audit_record(
        actor=actor,
        action="playbook.import",
        target_type="playbook",
        detail={
            "created": result.created,
            "updated": result.updated,
            "bad_lines": result.bad_lines,
        },
    )
    return result
