"""A NUL character in a cell costs its row (PostgreSQL cannot store it), never the file."""

import io

from creators.importer import creator_import_csv
from creators.models import Creator
from tests.creators.csvfiles import creator_row, csv_bytes

ROWS = [
    creator_row("good_one"),  # line 2
    creator_row("nul_name", name="Ana\x00Maria"),  # 3
    creator_row("nul_tags", tags="vip;\x00"),  # 4
    creator_row("good_two"),  # 5
]


def test_a_nul_row_is_rejected_by_line_and_the_good_rows_land(db):
    result = creator_import_csv(file=io.BytesIO(csv_bytes(ROWS)))
    assert [(error["line"], error["field"]) for error in result.errors] == [(3, None), (4, None)]
    assert all("NUL" in error["message"] for error in result.errors_shown())
    assert (result.created, result.rejected) == (2, 2)
    assert set(Creator.objects.values_list("handle", flat=True)) == {"good_one", "good_two"}


def test_a_nul_inside_a_quoted_multiline_cell_reports_the_row_start(db):
    content = csv_bytes([creator_row("good_one")]) + (
        b'multi,"Two\nlines\x00",,,,,,,,,,,,,,,,,\n'  # lines 3-4
        + csv_bytes([creator_row("good_two")]).split(b"\n", 1)[1]  # line 5
    )
    result = creator_import_csv(file=io.BytesIO(content))
    assert [(error["line"], error["field"]) for error in result.errors] == [(3, None)]
    assert set(Creator.objects.values_list("handle", flat=True)) == {"good_one", "good_two"}
