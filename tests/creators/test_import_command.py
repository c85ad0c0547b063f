"""`manage.py import_creators FILE.csv` imports and prints a summary."""

import pytest
from django.core.management import CommandError, call_command

from creators.models import Creator
from tests.creators.csvfiles import creator_row, csv_bytes


def test_command_prints_a_summary_and_errors(db, tmp_path, capsys):
    path = tmp_path / "creators.csv"
    path.write_bytes(csv_bytes([creator_row("ana"), creator_row("beto", level="x")]))
    call_command("import_creators", str(path))
    captured = capsys.readouterr()
    assert "1 created, 0 updated, 1 rejected" in captured.out
    assert "line 3: level:" in captured.err
    assert Creator.objects.filter(handle="ana").exists()


def test_command_refuses_a_bad_header(db, tmp_path):
    path = tmp_path / "creators.csv"
    path.write_bytes(b"handle,name\nana,Ana\n")
    with pytest.raises(CommandError, match="lacks the columns"):
        call_command("import_creators", str(path))
