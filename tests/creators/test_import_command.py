"""`manage.py import_creators FILE.csv` imports and prints a summary."""

import pytest
from django.core.management import CommandError, call_command

from creators.models import Creator
from tests.creators.csvfiles import creator_row, csv_bytes


def test_command_prints_a_summary_and_errors(db, tmp_path, capsys):
    path = tmp_path / "creators.csv"
    rows = [creator_row("ana"), creator_row("beto", level="x"), creator_row("Bad Handle!")]
    path.write_bytes(csv_bytes(rows))
    call_command("import_creators", str(path))
    captured = capsys.readouterr()
    assert "(utf-8): 2 created, 0 updated, 1 rejected, 1 cells dropped" in captured.out
    assert "line 3: level: (kept without it)" in captured.err
    assert "line 4: handle:" in captured.err
    assert Creator.objects.filter(handle="ana").exists()


def test_command_refuses_a_bad_header(db, tmp_path):
    path = tmp_path / "creators.csv"
    path.write_bytes(b"handle,name\nana,Ana\n")
    with pytest.raises(CommandError, match="email"):
        call_command("import_creators", str(path))
