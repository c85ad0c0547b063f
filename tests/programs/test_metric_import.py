"""Metric CSV and API: problems reported by line and field, good rows land, a re-import
replaces a day, and files are read as spreadsheets really save them."""

import io
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from programs import metric_import
from programs.models import CreatorMetric, MetricImport
from tests.support.factories import creators_make


def _csv(text: str, encoding: str = "utf-8") -> metric_import.MetricImportResult:
    return metric_import.creator_metrics_import_csv(file=io.BytesIO(text.encode(encoding)))


def _problems(result) -> list[tuple[int, str | None]]:
    return [(problem["line"], problem["field"]) for problem in result.errors]


def test_bad_rows_are_reported_by_line_and_field_and_good_rows_land(db):
    creators_make(2)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    result = _csv(
        "handle,date,metric,value\n"
        "creador_0,2026-11-02,gmv,100.50\n"
        "creador_1,2026-11-31,gmv,1\n"
        "nadie,2026-11-02,gmv,1\n"
        "creador_1,2026-11-02,likes,1\n"
        "creador_1,2026-11-02,videos_posted,-3\n"
        "@creador_1,2026-11-02,videos_posted,3\n"
        f"creador_1,{tomorrow},gmv,5\n"
        "creador_1,2026-11-02,gmv,1e20\n"
        "creador_1,2026-11-02,gmv,mucho\n"
    )

    assert _problems(result) == [
        (3, "date"),
        (4, "handle"),
        (5, "metric"),
        (6, "value"),
        (8, "date"),
        (9, "value"),
        (10, "value"),
    ]
    shown = result.errors_shown()
    assert "nadie" in shown[1]["message"]
    assert "future" in shown[4]["message"]
    assert (result.rows, result.imported, result.rejected) == (9, 2, 7)
    assert set(CreatorMetric.objects.values_list("creator__handle", "metric", "value")) == {
        ("creador_0", "gmv", Decimal("100.50")),
        ("creador_1", "videos_posted", Decimal("3")),
    }
    _csv("handle,date,metric,value\ncreador_0,2026-11-02,gmv,7\n")
    assert CreatorMetric.objects.get(creator__handle="creador_0").value == Decimal("7")


def test_a_header_without_handle_or_date_is_reported_on_line_one_and_logged(db):
    result = _csv("handle,value\nx,1\n")
    assert _problems(result) == [(1, None)]
    assert "handle and a date" in result.errors_shown()[0]["message"]
    assert result.imported == 0
    record = MetricImport.objects.get()
    assert (record.source, record.imported, record.problems[0]["code"]) == ("csv", 0, "header")


def test_a_nul_row_is_reported_by_line_and_the_good_rows_land(db):
    creators_make(2)
    result = _csv(
        "handle,date,metric,value\n"
        "creador_0,2026-11-02,gmv,100\n"
        "creador\x00_1,2026-11-02,gmv,1\n"
        "creador_1,2026-11-02,gmv,2\n"
    )
    assert _problems(result) == [(3, None)]
    assert "NUL" in result.errors_shown()[0]["message"]
    assert result.imported == 2


def test_a_quoted_cell_over_two_lines_does_not_shift_the_lines_reported(db):
    creators_make(1)
    result = _csv(
        "handle,date,metric,value\n"
        '"creador_0\nsegunda línea",2026-11-02,gmv,1\n'  # lines 2-3: one row, a bad handle
        "nadie,2026-11-02,gmv,1\n"  # line 4
        "creador_0,2026-11-02,gmv,7\n"  # line 5
    )
    assert [line for line, _field in _problems(result)] == [2, 4]
    assert result.imported == 1


def test_an_excel_file_in_windows_1252_with_spanish_headers_and_semicolons(db):
    creators_make(2)
    result = _csv(
        "Usuario;Fecha;Métrica;Valor;Campaña\n"
        "@creador_0;02/11/2026;GMV;$1,234.50;Buen Fin\n"
        "creador_1;2026-11-02;Videos;3;\n",
        encoding="cp1252",
    )
    assert result.encoding == "cp1252"
    assert "Windows-1252" in result.encoding_label
    assert result.errors == []
    assert [w["params"]["column"] for w in result.warnings] == ["Campaña"]
    assert "Campaña" in result.warnings_shown()[0]["message"]
    assert set(CreatorMetric.objects.values_list("creator__handle", "date", "metric", "value")) == {
        ("creador_0", timezone.datetime(2026, 11, 2).date(), "gmv", Decimal("1234.50")),
        ("creador_1", timezone.datetime(2026, 11, 2).date(), "videos_posted", Decimal("3")),
    }


def test_one_column_per_metric_in_utf16_reports_the_column_at_fault(db):
    creators_make(2)
    result = _csv(
        "handle\tdate\tgmv\tvideos_posted\n"
        "creador_0\t2026-11-02\t100\t2\n"
        "creador_1\t2026-11-02\t\tdos\n",  # no gmv that day; a bad video count
        encoding="utf-16",
    )
    assert result.encoding == "utf-16"
    assert _problems(result) == [(3, "videos_posted")]
    assert result.imported == 2
    assert sorted(CreatorMetric.objects.values_list("creator__handle", "metric")) == [
        ("creador_0", "gmv"),
        ("creador_0", "videos_posted"),
    ]


def test_api_rows_are_reported_by_position_and_field(db):
    creators_make(1)
    rows = [
        {"handle": "creador_0", "date": "2026-11-02", "metric": "gmv", "value": "1"},
        {"handle": "nadie", "date": "2026-11-02", "metric": "gmv", "value": "1"},
        {"handle": "creador_0", "date": "2026-11-03", "metric": "likes", "value": "1"},
    ]
    result = metric_import.creator_metrics_record(rows=enumerate(rows, start=1))

    assert _problems(result) == [(2, "handle"), (3, "metric")]
    record = MetricImport.objects.get()
    assert (record.source, record.rows, record.imported, record.rejected) == ("api", 3, 1, 2)
    assert record.metrics == {"gmv": {"rows": 1, "first": "2026-11-02", "last": "2026-11-02"}}
