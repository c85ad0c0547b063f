"""For the length of an import the cyclic GC is paused and the GIL switch interval is short
(docs/importing.md); both come back after, also when imports overlap in one process."""

from __future__ import annotations

import gc
import io
import sys
import threading

import pytest

from creators.import_result import CreatorImportResult
from creators.importer import _interpreter_tuned_for_import, creator_import_csv
from tests.creators.csvfiles import creator_row, csv_bytes

pytestmark = pytest.mark.django_db


def _file(prefix: str, count: int) -> io.BytesIO:
    rows: list[dict[str, str] | bytes] = [creator_row(f"{prefix}_{n}") for n in range(count)]
    return io.BytesIO(csv_bytes(rows))


def test_settings_change_during_an_import_and_come_back() -> None:
    before = (gc.isenabled(), sys.getswitchinterval())
    seen: list[tuple[bool, float]] = []

    def progress(_lines: int, _result: CreatorImportResult) -> None:
        seen.append((gc.isenabled(), sys.getswitchinterval()))

    creator_import_csv(file=_file("solo", 5), chunk_rows=2, progress=progress)

    assert seen and all(state == (False, 0.0005) for state in seen)
    assert (gc.isenabled(), sys.getswitchinterval()) == before


def test_overlapping_imports_restore_only_when_the_last_ends() -> None:
    """Two imports on two threads of one process: the first starts, the second starts, the
    first ends (the settings stay), the second ends (they come back)."""
    before = (gc.isenabled(), sys.getswitchinterval())
    second_started, first_ended = threading.Event(), threading.Event()
    seen: dict[str, tuple[bool, float]] = {}

    def second() -> None:
        with _interpreter_tuned_for_import():
            second_started.set()
            first_ended.wait(timeout=10)
            seen["second, after the first ended"] = (gc.isenabled(), sys.getswitchinterval())

    with _interpreter_tuned_for_import():
        thread = threading.Thread(target=second)
        thread.start()
        second_started.wait(timeout=10)
    first_ended.set()
    thread.join(timeout=10)

    assert seen == {"second, after the first ended": (False, 0.0005)}
    assert (gc.isenabled(), sys.getswitchinterval()) == before
