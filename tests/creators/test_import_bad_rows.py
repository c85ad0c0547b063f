"""Rows refused are reported by line and field; a bad optional cell does not refuse its row:
the creator lands without that value and the cell is listed as a warning."""

import io

import pytest

from creators.importer import creator_import_csv
from creators.models import Creator
from tests.creators.csvfiles import creator_row, csv_bytes

BAD_FILE_ROWS = [
    creator_row("good_one"),  # line 2
    creator_row("bad_email", email="not-an-email"),  # 3: lands with its phone
    creator_row("bad_phone", phone="+52 123"),  # 4: lands with its email
    creator_row("bad_locale", locale="fr"),  # 5
    creator_row("bad_zone", timezone="Mexico/Atlantis"),  # 6
    creator_row("good_one", name="Second time"),  # 7: duplicate handle in the file
    creator_row("no_name", name=""),  # 8: a name is not needed
    b"short_row,Short Row,short@example.mx",  # 9: wrong cell count
    creator_row("no_contact", email="", phone="12"),  # 10: no usable contact address
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


def test_rows_refused_are_reported_by_line_and_field(report):
    assert [(error["line"], error["field"]) for error in report.errors] == [
        (7, "handle"),
        (9, None),
        (10, "phone"),
        (10, None),
        (14, "handle"),
        (18, "handle"),
    ]
    assert all(error["message"] for error in report.errors_shown())


def test_bad_optional_cells_are_warnings_and_their_rows_land(report):
    assert [(warning["line"], warning["field"]) for warning in report.warnings] == [
        (3, "email"),
        (4, "phone"),
        (5, "locale"),
        (6, "timezone"),
        (11, "level"),
        (12, "consent_push"),
        (15, "state"),
        (16, "followers"),
        (16, "gmv_30d"),
        (17, "content_type"),
        (17, "joined_at"),
    ]
    assert (report.created, report.updated, report.rejected) == (12, 0, 5)
    bad_email = Creator.objects.get(handle="bad_email")
    assert (bad_email.email, bad_email.phone) == ("", "+525512345678")
    bad_numbers = Creator.objects.get(handle="bad_numbers")
    assert (bad_numbers.followers, str(bad_numbers.gmv_30d), bad_numbers.level) == (0, "0.00", 2)
    assert Creator.objects.get(handle="bad_consent").consent_push == "unknown"
    assert Creator.objects.get(handle="bad_zone").timezone == "America/Mexico_City"
    assert Creator.objects.get(handle="no_name").name == ""


def test_a_bad_cell_keeps_what_an_existing_creator_has(db):
    Creator.objects.create(handle="ana", name="Ana", email="ana@example.mx", level=4)
    result = creator_import_csv(
        file=io.BytesIO(csv_bytes([creator_row("ana", email="nope", level="x")]))
    )
    assert (result.updated, result.rejected, result.warnings_total) == (1, 0, 2)
    ana = Creator.objects.get(handle="ana")
    assert (ana.email, ana.level, ana.phone) == ("ana@example.mx", 4, "+525512345678")


def test_first_row_of_a_duplicated_handle_wins(report):
    assert Creator.objects.get(handle="good_one").name == "Name good_one"


def test_good_values_are_normalised(report):
    creator = Creator.objects.get(handle="good_two")
    assert creator.phone == "+525512345678"
    assert creator.locale == "es-MX"
    assert creator.state == "JAL"
    assert creator.tags == ["vip", "beta"]


def test_bad_line_messages_say_why(report):
    by_line = {error["line"]: error["message"] for error in report.errors_shown()}
    assert "19" in by_line[9] and "3" in by_line[9]
    assert "email" in by_line[10] or "phone" in by_line[10]


def test_header_without_handle_or_contact_refuses_the_whole_file(db):
    from creators.columns import HEADER
    from creators.importer import ImportHeaderInvalid

    header = tuple(name for name in HEADER if name not in ("handle", "email", "phone"))
    with pytest.raises(ImportHeaderInvalid) as caught:
        creator_import_csv(file=io.BytesIO(csv_bytes([creator_row("ana")], header=header)))
    assert caught.value.code == "missing"
    assert "handle" in str(caught.value) and "phone" in str(caught.value)
    assert not Creator.objects.exists()


def test_error_list_is_capped_but_all_rejections_are_counted(db, monkeypatch):
    from creators import import_result

    monkeypatch.setattr(import_result, "ERROR_LIMIT", 5)
    rows = [creator_row(f"user_{n}", email="", phone="1") for n in range(12)]
    result = creator_import_csv(file=io.BytesIO(csv_bytes(rows)))
    assert result.rejected == 12
    assert len(result.errors) == 5
    assert result.errors_total == 24  # the bad phone and the missing contact, per row
