"""Metric CSV: bad rows are reported by line, good rows land, a re-import replaces a day."""

import io
from decimal import Decimal

from programs import services
from programs.models import CreatorMetric
from tests.support.factories import creators_make


def test_bad_rows_are_reported_by_line_and_good_rows_land(db):
    creators_make(2)
    csv_text = (
        "handle,date,metric,value\n"
        "creador_0,2026-11-02,gmv,100.50\n"
        "creador_1,2026-11-31,gmv,1\n"
        "nadie,2026-11-02,gmv,1\n"
        "creador_1,2026-11-02,likes,1\n"
        "creador_1,2026-11-02,videos_posted,-3\n"
        "@creador_1,2026-11-02,videos_posted,3\n"
    )
    result = services.creator_metrics_import_csv(file=io.BytesIO(csv_text.encode()))

    assert [line for line, _message in result.errors] == [3, 4, 5, 6]
    assert "nadie" in dict(result.errors)[4]
    assert result.imported == 2
    assert set(CreatorMetric.objects.values_list("creator__handle", "metric", "value")) == {
        ("creador_0", "gmv", Decimal("100.50")),
        ("creador_1", "videos_posted", Decimal("3")),
    }

    services.creator_metrics_import_csv(
        file=io.BytesIO(b"handle,date,metric,value\ncreador_0,2026-11-02,gmv,7\n")
    )
    assert CreatorMetric.objects.get(creator__handle="creador_0").value == Decimal("7")


def test_missing_columns_are_reported_on_line_one(db):
    result = services.creator_metrics_import_csv(file=io.BytesIO(b"handle,value\nx,1\n"))
    assert result.errors[0][0] == 1
    assert result.imported == 0


def test_a_nul_row_is_reported_by_line_and_the_good_rows_land(db):
    creators_make(2)
    csv_text = (
        "handle,date,metric,value\n"
        "creador_0,2026-11-02,gmv,100\n"
        "creador\x00_1,2026-11-02,gmv,1\n"
        "creador_1,2026-11-02,gmv,2\n"
    )
    result = services.creator_metrics_import_csv(file=io.BytesIO(csv_text.encode()))
    assert [line for line, _message in result.errors] == [3]
    assert "NUL" in result.errors[0][1]
    assert result.imported == 2


def test_a_quoted_cell_over_two_lines_does_not_shift_the_lines_reported(db):
    creators_make(1)
    csv_text = (
        "handle,date,metric,value\n"
        '"creador_0\nsegunda línea",2026-11-02,gmv,1\n'  # lines 2-3: one row, a bad handle
        "nadie,2026-11-02,gmv,1\n"  # line 4
        "creador_0,2026-11-02,gmv,7\n"  # line 5
    )
    result = services.creator_metrics_import_csv(file=io.BytesIO(csv_text.encode()))

    assert [line for line, _message in result.errors] == [2, 4]
    assert result.imported == 1


def test_api_rows_are_reported_by_position(db):
    creators_make(1)
    rows = [
        {"handle": "creador_0", "date": "2026-11-02", "metric": "gmv", "value": "1"},
        {"handle": "nadie", "date": "2026-11-02", "metric": "gmv", "value": "1"},
    ]
    result = services.creator_metrics_record(rows=enumerate(rows, start=1))

    assert [line for line, _message in result.errors] == [2]
