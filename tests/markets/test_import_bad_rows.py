"""A playbook CSV with bad rows: the good rows land, the bad ones are reported by line,
column and cause; re-importing updates instead of duplicating."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from audit.models import AuditEntry
from markets.exceptions import PlaybookImportInvalid
from markets.imports import playbook_import_csv
from markets.models import Playbook
from tests.markets.csvfiles import GOOD_AND_BAD

pytestmark = pytest.mark.django_db


def test_good_rows_land_and_bad_rows_are_reported_by_line():
    result = playbook_import_csv(source=GOOD_AND_BAD, actor=None)

    assert (result.created, result.updated) == (4, 0)
    assert result.bad_lines == [3, 5]
    by_line = {(p.line, p.column): p.cause for p in result.problems}
    assert "unknown channel “fax”" in by_line[(3, "steps")]
    assert (5, "market") in by_line
    # A bad optional cell leaves the row in, without that value.
    warned = {(p.line, p.column): p.cause for p in result.warnings}
    assert "between 0 and 100" in warned[(6, "open_rate")]
    assert (6, "applicability") in warned
    britain = Playbook.objects.get(market_id="GB")
    assert (britain.open_rate, britain.applicability) == (None, None)
    assert sorted(Playbook.objects.values_list("market_id", flat=True)) == ["BR", "CO", "GB", "ID"]

    brazil = Playbook.objects.get(market_id="BR")
    assert brazil.steps == [
        {"channel": "whatsapp", "day": 0, "purpose": "announce"},
        {"channel": "push", "day": 3, "purpose": "remind"},
        {"channel": "email", "day": 6, "purpose": "recap"},
    ]
    assert (brazil.open_rate, brazil.click_rate) == (Decimal("48.5"), Decimal("12.1"))
    assert brazil.tags == ["whatsapp", "missions"]
    assert str(brazil.results_date) == "2026-05-01" and brazil.applicability == 4
    assert not result.rates_as_fractions
    entry = AuditEntry.objects.get(action="playbook.import")
    assert entry.detail == {
        "created": 4,
        "updated": 0,
        "bad_lines": [3, 5],
        "cells_left_out": 2,
        "encoding": "utf-8",
    }


def test_rates_written_as_fractions_are_stored_as_percentages():
    text = (
        "market,title,kind,steps,open_rate,click_rate,completion_rate,uplift\n"
        "BR,Fracciones,mission,push@0:a,0.620000,0.081234,1,12\n"
        "CO,Sin tasas,mission,push@0:a,,,,\n"
    )
    result = playbook_import_csv(source=text, actor=None)
    assert result.rates_as_fractions and result.created == 2
    brazil = Playbook.objects.get(market_id="BR")
    assert (brazil.open_rate, brazil.click_rate, brazil.completion_rate) == (
        Decimal("62.00"),
        Decimal("8.12"),
        Decimal("100.00"),
    )
    assert brazil.uplift == Decimal("12")  # uplift is not a rate of the stats export


def test_a_file_with_one_rate_above_1_is_read_as_percentages():
    text = (
        "market,title,kind,steps,open_rate,click_rate\n"
        "BR,Uno,mission,push@0:a,0.62,\n"
        "CO,Dos,mission,push@0:a,45,3\n"
    )
    result = playbook_import_csv(source=text, actor=None)
    assert not result.rates_as_fractions
    assert Playbook.objects.get(market_id="BR").open_rate == Decimal("0.62")


def test_a_windows_1252_file_is_read_and_named():
    text = "market;title;kind;steps;notes;origen\nBR;Misión de otoño;mission;push@0:a;Peña\n"
    result = playbook_import_csv(source=io.BytesIO(text.encode("cp1252")), actor=None)
    assert (result.created, result.encoding) == (1, "cp1252")
    assert Playbook.objects.get().title == "Misión de otoño"
    assert [(w.line, w.column) for w in result.warnings] == [(1, "origen")]


def test_a_second_import_updates_the_same_playbooks():
    playbook_import_csv(source=GOOD_AND_BAD, actor=None)
    changed = GOOD_AND_BAD.replace("48.5%", "50")
    result = playbook_import_csv(source=io.BytesIO(changed.encode()), actor=None)
    assert (result.created, result.updated) == (0, 4)
    assert Playbook.objects.count() == 4
    assert Playbook.objects.get(market_id="BR").open_rate == Decimal("50")


def test_a_quoted_multiline_row_reports_its_first_line():
    text = (
        "market,title,kind,steps,notes\n"
        'BR,"Nota larga",mission,push@0:a,"una\nsegunda línea"\n'
        "BR,Falla,mission,push@2:a,\n"
    )
    result = playbook_import_csv(source=text, actor=None)
    assert result.created == 1
    assert [(p.line, p.column) for p in result.problems] == [(4, "steps")]
    assert "day 0" in result.problems[0].cause


def test_missing_required_column_refuses_the_file():
    with pytest.raises(PlaybookImportInvalid, match="steps"):
        playbook_import_csv(source="market,title,kind\nBR,x,mission\n", actor=None)
    assert not Playbook.objects.exists()


def test_command_imports_and_lists_bad_lines(tmp_path, capsys):
    path = tmp_path / "playbooks.csv"
    path.write_text(GOOD_AND_BAD)
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_playbooks", str(path))
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert "created 4, updated 0, bad rows 2" in out
    assert "line 3: steps:" in err and "line 5: market:" in err
    assert "line 6: open_rate: (kept without it)" in err
    assert Playbook.objects.count() == 4


def test_a_nul_row_is_reported_by_line_and_the_good_rows_land():
    text = (
        "market,title,kind,steps,notes\n"
        "BR,Buena,mission,push@0:a,\n"
        "BR,Nu\x00la,mission,push@0:a,\n"
        "CO,Otra,mission,push@0:a,nota\x00\n"
    )
    result = playbook_import_csv(source=text, actor=None)
    assert result.created == 1
    assert [(p.line, p.column) for p in result.problems] == [(3, ""), (4, "")]
    assert all("NUL" in p.cause for p in result.problems)
    assert list(Playbook.objects.values_list("title", flat=True)) == ["Buena"]
