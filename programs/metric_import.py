"""Metric imports: daily creator metrics from a CSV file or `POST /api/creator-metrics`.

Each problem is reported by its line (the API: the row's position), field and message, as
the creators import does, and the good rows land. Files are read as spreadsheets save
them: UTF-8 with or without a byte-order mark, UTF-16 with one, or Windows-1252 (Excel on
Windows), with `,`, `;` or tab between cells; column names in any order and case, with or
without accents, in English or Spanish (`fecha`, `valor`…); and either one row per metric
(`handle,date,metric,value`) or one column per metric (`handle,date,gmv,videos_posted`).
Problems are stored as codes with parameters and rendered in the reader's language.

After the rows land, `Creator.gmv_30d` is refreshed for the creators whose `gmv` the import
wrote (programs/gmv.py), and a `MetricImport` row records what happened for the metric
health page (programs/metric_health.py). docs/metrics.md describes all of it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from common.csv import CSV_NUL_MESSAGE, csv_has_nul
from creators.cells import handle_read
from creators.models import Creator
from programs.band_events import metrics_imported_emit
from programs.gmv import gmv_30d_refresh
from programs.models import CreatorMetric, Metric, MetricImport

METRIC_CHUNK = 5000
PROBLEM_LIMIT = 1000
STORED_PROBLEMS = 200
VALUE_LIMIT = Decimal(10) ** 12

MESSAGES: dict[str, Any] = {
    "empty": _("The file is empty: it needs a header line."),
    "header": _(
        "The header needs a handle and a date column, and either metric and value columns "
        "or one column per metric (%(metrics)s)."
    ),
    "column_unknown": _("Unknown column “%(column)s”: its cells were not imported."),
    "csv_broken": _("Broken CSV quoting on this line: check its quotes."),
    "cells_count": _("Expected %(expected)d cells, as in the header, but found %(found)d."),
    "nul": CSV_NUL_MESSAGE,
    "handle_empty": _("The handle is empty."),
    "handle_unknown": _("No creator with the handle “%(handle)s”."),
    "date_invalid": _("Not a date: write 2026-11-30 (or 30/11/2026, day first)."),
    "date_future": _("The date is in the future."),
    "metric_unknown": _("Unknown metric “%(metric)s”: use one of %(metrics)s."),
    "value_invalid": _("Not a number: write 1234.50 (or 1,234.50)."),
    "value_negative": _("The value must be zero or more."),
    "value_large": _("The value is too large (at most 999,999,999,999.99)."),
}


ENCODING_LABELS: dict[str, Any] = {
    "utf-8": _("UTF-8"),
    "utf-8-sig": _("UTF-8 with a byte-order mark"),
    "utf-16": _("UTF-16"),
    "cp1252": _("Windows-1252 (Excel on Windows)"),
}


def metric_problem_message(problem: dict[str, Any]) -> str:
    """A stored problem as a sentence in the active language."""
    template = MESSAGES.get(problem.get("code", ""))
    if template is None:
        return str(problem.get("message", ""))
    params = problem.get("params") or {}
    return str(template) % params if params else str(template)


def metric_problems_shown(problems: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"line": p["line"], "field": p["field"], "message": metric_problem_message(p)}
        for p in problems
    ]


@dataclass
class MetricImportResult:
    """What an import did. `errors` (the value was not stored) and `warnings` (e.g. a column
    that was not read) keep the first PROBLEM_LIMIT problems each; the totals count all."""

    rows: int = 0
    imported: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    encoding: str = ""
    gmv_refreshed: int = 0
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)

    def error_add(self, line: int, field_name: str | None, code: str, **params: Any) -> None:
        self.errors_total += 1
        if len(self.errors) < PROBLEM_LIMIT:
            self.errors.append({"line": line, "field": field_name, "code": code, "params": params})

    def warning_add(self, line: int, field_name: str | None, code: str, **params: Any) -> None:
        if len(self.warnings) < PROBLEM_LIMIT:
            self.warnings.append(
                {"line": line, "field": field_name, "code": code, "params": params}
            )

    @property
    def encoding_label(self) -> str:
        return str(ENCODING_LABELS.get(self.encoding, self.encoding))

    def errors_shown(self) -> list[dict[str, Any]]:
        return metric_problems_shown(self.errors)

    def warnings_shown(self) -> list[dict[str, Any]]:
        return metric_problems_shown(self.warnings)


# --- Cells ----------------------------------------------------------------------------------------


def _key(text: str) -> str:
    """A header or metric name compared loosely: lower case, no accents, `_` for spaces."""
    text = unicodedata.normalize("NFKD", str(text).strip().lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\s\-./()]+", "_", text).strip("_")


COLUMN_NAMES: dict[str, str] = {
    **{
        name: "handle"
        for name in (
            "handle",
            "creator",
            "creador",
            "creadora",
            "usuario",
            "username",
            "user",
            "tiktok",
            "tiktok_handle",
            "cuenta",
        )
    },
    **{name: "date" for name in ("date", "fecha", "day", "dia")},
    **{name: "metric" for name in ("metric", "metrica", "kpi", "indicador")},
    **{name: "value" for name in ("value", "valor", "amount", "monto", "cantidad")},
}
METRIC_NAMES: dict[str, str] = {
    **{metric: metric for metric in Metric.values},
    **{name: Metric.GMV for name in ("gmv_mxn", "ventas", "sales")},
    **{name: Metric.VIDEOS_POSTED for name in ("videos", "videos_publicados")},
    **{name: Metric.LIVE_HOURS for name in ("horas_live", "horas_en_vivo", "live")},
    **{name: Metric.PRODUCTS_SHOWCASED for name in ("productos", "productos_exhibidos")},
}

_DAY_FIRST = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T].*)?")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")


def _date_read(text: str) -> date | None:
    text = text.strip()
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _DAY_FIRST.fullmatch(text)
        if not match:
            return None
        day, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _value_read(text: str) -> Decimal | None:
    text = str(text).strip().replace("$", "").replace(" ", "").replace("\u00a0", "")
    for suffix in ("MXN", "mxn"):
        text = text.removesuffix(suffix)
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@dataclass(frozen=True)
class _Row:
    line: int
    handle: str
    day: date
    metric: str
    value: Decimal


def _row_check(
    result: MetricImportResult, line: int, row: dict[str, Any], today: date
) -> _Row | None:
    """One metric value, checked; None (and the problem recorded) if it cannot be stored."""
    if csv_has_nul(row.values()):
        result.error_add(line, None, "nul")
        return None
    handle = str(row.get("handle") or "").strip()
    handle = handle_read(handle) or handle.removeprefix("@")
    if not handle:
        result.error_add(line, "handle", "handle_empty")
        return None
    raw_day = row.get("date")
    day = raw_day if isinstance(raw_day, date) else _date_read(str(raw_day or ""))
    if day is None:
        result.error_add(line, "date", "date_invalid")
        return None
    if day > today:
        result.error_add(line, "date", "date_future")
        return None
    metric = METRIC_NAMES.get(_key(str(row.get("metric") or "")))
    if metric is None:
        result.error_add(
            line,
            "metric",
            "metric_unknown",
            metric=str(row.get("metric") or "")[:40],
            metrics=", ".join(Metric.values),
        )
        return None
    value_field = str(row.get("field") or "value")
    raw_value = row.get("value")
    value = raw_value if isinstance(raw_value, Decimal) else _value_read(str(raw_value or ""))
    if value is None:
        result.error_add(line, value_field, "value_invalid")
        return None
    if value < 0:
        result.error_add(line, value_field, "value_negative")
        return None
    value = value.quantize(Decimal("0.01"))
    if value >= VALUE_LIMIT:
        result.error_add(line, value_field, "value_large")
        return None
    return _Row(line, handle, day, str(metric), value)


# --- Writing --------------------------------------------------------------------------------------


def _chunk_write(rows: list[_Row], result: MetricImportResult, gmv_ids: set[int]) -> None:
    """Upsert one chunk: handles resolved with one query, rows written with one upsert."""
    ids = dict(
        Creator.objects.filter(handle__in={row.handle for row in rows}).values_list("handle", "pk")
    )
    latest: dict[tuple[int, str, date], CreatorMetric] = {}
    for row in rows:
        creator_id = ids.get(row.handle)
        if creator_id is None:
            result.rejected += 1
            result.error_add(row.line, "handle", "handle_unknown", handle=row.handle)
            continue
        # The same creator, metric and day twice in one file: the later line wins.
        latest[(creator_id, row.metric, row.day)] = CreatorMetric(
            creator_id=creator_id, date=row.day, metric=row.metric, value=row.value
        )
        if row.metric == Metric.GMV:
            gmv_ids.add(creator_id)
        figures = result.metrics.setdefault(
            row.metric, {"rows": 0, "first": row.day.isoformat(), "last": row.day.isoformat()}
        )
        figures["rows"] += 1
        figures["first"] = min(figures["first"], row.day.isoformat())
        figures["last"] = max(figures["last"], row.day.isoformat())
    CreatorMetric.objects.bulk_create(
        latest.values(),
        update_conflicts=True,
        unique_fields=["creator", "metric", "date"],
        update_fields=["value"],
        batch_size=METRIC_CHUNK,
    )
    metrics_imported_emit(metrics=latest.values())
    result.imported += len(latest)


@transaction.atomic
def creator_metrics_record(
    *,
    rows: Iterable[tuple[int, dict[str, Any]]],
    actor: User | None = None,
    source: str = MetricImport.Source.API,
    filename: str = "",
    result: MetricImportResult | None = None,
) -> MetricImportResult:
    """Record daily metric values, each `(line, {handle, date, metric, value[, field]})`:
    bad ones are reported by line and field, the good ones land; then gmv_30d follows."""
    result = result or MetricImportResult()
    today = timezone.localdate()
    gmv_ids: set[int] = set()
    chunk: list[_Row] = []
    for line, row in rows:
        result.rows += 1
        checked = _row_check(result, line, row, today)
        if checked is None:
            result.rejected += 1
            continue
        chunk.append(checked)
        if len(chunk) >= METRIC_CHUNK:
            _chunk_write(chunk, result, gmv_ids)
            chunk = []
    if chunk:
        _chunk_write(chunk, result, gmv_ids)
    result.errors.sort(key=lambda problem: problem["line"])
    result.gmv_refreshed = gmv_30d_refresh(creator_ids=gmv_ids)
    _import_log(result, actor=actor, source=source, filename=filename)
    return result


def _import_log(
    result: MetricImportResult, *, actor: User | None, source: str, filename: str
) -> MetricImport:
    record = MetricImport.objects.create(
        source=source,
        actor=actor if actor is not None and actor.is_authenticated else None,
        filename=filename[:255],
        encoding=result.encoding,
        rows=result.rows,
        imported=result.imported,
        rejected=result.rejected,
        metrics=result.metrics,
        problems=(result.warnings + result.errors)[:STORED_PROBLEMS],
    )
    audit_record(
        actor=actor,
        action="program.metrics_import",
        target=record,
        detail={"imported": result.imported, "errors": result.errors_total},
    )
    return record


# --- CSV ------------------------------------------------------------------------------------------


def _text_read(raw: bytes) -> tuple[str, str]:
    """The file as text and the encoding used: a byte-order mark decides, else UTF-8 if it
    decodes, else Windows-1252 (what Excel on Windows saves)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def _delimiter(header: str) -> str:
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_rows(text: str, result: MetricImportResult) -> Iterator[tuple[int, dict[str, Any]]] | None:
    """Each metric value of the file as `(line, row)`; None if the header cannot be used."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(first_line), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        result.error_add(1, None, "empty")
        return None
    except csv.Error:
        result.error_add(1, None, "csv_broken")
        return None
    roles: dict[str, int] = {}
    metric_columns: dict[int, str] = {}
    for position, name in enumerate(header):
        key = _key(name)
        role = COLUMN_NAMES.get(key)
        if role and role not in roles:
            roles[role] = position
        elif key in METRIC_NAMES and METRIC_NAMES[key] not in metric_columns.values():
            metric_columns[position] = METRIC_NAMES[key]
        elif key:
            result.warning_add(1, None, "column_unknown", column=name.strip()[:60])
    long_form = "metric" in roles and "value" in roles
    if "handle" not in roles or "date" not in roles or not (long_form or metric_columns):
        result.error_add(1, None, "header", metrics=", ".join(Metric.values))
        return None
    if long_form:
        metric_columns = {}

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        line_end = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                result.rejected += 1
                result.error_add(line_end + 1, None, "csv_broken")
                line_end = reader.line_num
                continue
            line, line_end = line_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(cells) < len(header):
                # Spreadsheets drop trailing empty cells; a short row is padded, a long one
                # is refused (its cells cannot be told apart).
                cells = cells + [""] * (len(header) - len(cells))
            if len(cells) > len(header):
                result.rejected += 1
                result.error_add(line, None, "cells_count", expected=len(header), found=len(cells))
                continue
            base = {"handle": cells[roles["handle"]], "date": cells[roles["date"]]}
            if long_form:
                yield (
                    line,
                    {**base, "metric": cells[roles["metric"]], "value": cells[roles["value"]]},
                )
                continue
            for position, metric in metric_columns.items():
                if cells[position].strip():
                    yield (
                        line,
                        {
                            **base,
                            "metric": metric,
                            "value": cells[position],
                            "field": header[position].strip(),
                        },
                    )

    return rows()


def creator_metrics_import_csv(
    *, file: IO[bytes] | IO[str], actor: User | None = None, filename: str = ""
) -> MetricImportResult:
    """Import a metrics CSV (see the module's docstring); line 1 is the header."""
    raw = file.read()
    result = MetricImportResult()
    if isinstance(raw, bytes):
        text, result.encoding = _text_read(raw)
    else:
        text, result.encoding = raw.lstrip("\ufeff"), "utf-8"
    filename = filename or str(getattr(file, "name", "") or "")
    rows = _csv_rows(text, result)
    if rows is None:
        with transaction.atomic():
            _import_log(result, actor=actor, source=MetricImport.Source.CSV, filename=filename)
        return result
    return creator_metrics_record(
        rows=rows, actor=actor, source=MetricImport.Source.CSV, filename=filename, result=result
    )
