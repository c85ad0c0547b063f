"""Bad rows are reported by line and field; every good row still lands."""

import io

import pytest

from creators.importer import creator_import_csv
from creators.models import Creator
from tests.creators.csvfiles import creator_row, csv_bytes

BAD_FILE_ROWS = [
    creator_row("good_one"),  # line 2
    creator_row("bad_email", email="not-an-email"),  # 3
    creator_row("bad_phone", phone="+52 123"),  # 4
    creator_row("bad_locale", locale="fr"),  # 5
    creator_row("bad_zone", timezone="Mexico/Atlantis"),  # 6
    creator_row("good_one", name="Second time"),  # 7: duplicate handle in the file
    creator_row("no_name", name=""),  # 8: missing required field
    b"short_row,Short Row,short@example.mx",  # 9: wrong column count
    b"latin1," + "Jos\u00e9".encode("latin-1") + b",,,,,,,,,,,,,,,,,",  # 10: not UTF-8
    creator_row("bad_level", level="8"),  # 11
    creator_row("bad_consent", consent_push="maybe"),  # 12
    creator_row("good_two", phone="55 1234 5678", locale="ES_mx"),  # 13
    creator_row("Bad Handle!", email="bh@example.mx"),  # 14
    creator_row("bad_state", state="Atlantis"),  # 15
    creator_row("bad_numbers", followers="-3", gmv_30d="12.345"),  # 16
    creator_row("bad_dates", joined_at="yesterday", content_type="reels"),  # 17
    creator_row("", email="nobody@example.mx"),  # 18: missing handle
]


@pytest.fixture
def report(db):
    return creator_import_csv(file=io.BytesIO(csv_bytes(BAD_FILE_ROWS)))


def test_every_bad_row_is_reported_by_line_and_field(report):
    assert [(error["line"], error["field"]) for error in report.errors] == [
        (3, "email"),
        (4, "phone"),
        (5, "locale"),
        (6, "timezone"),
        (7, "handle"),
        (8, "name"),
        (9, None),
        (10, None),
        (11, "level"),
        (12, "consent_push"),
        (14, "handle"),
        (15, "state"),
        (16, "followers"),
        (16, "gmv_30d"),
        (17, "content_type"),
        (17, "joined_at"),
        (18, "handle"),
    ]
    assert all(error["message"] for error in report.errors)


def test_every_good_row_lands(report):
    assert (report.created, report.updated, report.rejected) == (2, 0, 15)
    assert set(Creator.objects.values_list("handle", flat=True)) == {"good_one", "good_two"}


def test_first_row_of_a_duplicated_handle_wins(report):
    assert Creator.objects.get(handle="good_one").name == "Name good_one"


def test_good_values_are_normalised(report):
    creator = Creator.objects.get(handle="good_two")
    assert creator.phone == "+525512345678"
    assert creator.locale == "es-MX"
    assert creator.state == "JAL"
    assert creator.tags == ["vip", "beta"]


def test_bad_line_messages_say_why(report):
    by_line = {error["line"]: error["message"] for error in report.errors}
    assert "UTF-8" in by_line[10]
    assert "19" in by_line[9] and "3" in by_line[9]


def test_missing_header_columns_refuse_the_whole_file(db):
    from creators.columns import HEADER
    from creators.importer import ImportHeaderInvalid

    header = tuple(name for name in HEADER if name not in ("phone", "consent_push"))
    with pytest.raises(ImportHeaderInvalid) as caught:
        creator_import_csv(file=io.BytesIO(csv_bytes([creator_row("ana")], header=header)))
    assert "phone" in str(caught.value) and "consent_push" in str(caught.value)
    assert not Creator.objects.exists()


def test_error_list_is_capped_but_all_rejections_are_counted(db, monkeypatch):
    from creators import import_result

    monkeypatch.setattr(import_result, "ERROR_LIMIT", 5)
    rows = [creator_row(f"user_{n}", level="9") for n in range(12)]
    result = creator_import_csv(file=io.BytesIO(csv_bytes(rows)))
    assert result.rejected == 12
    assert len(result.errors) == 5
    assert result.errors_total == 12
