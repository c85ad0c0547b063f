"""Outside a transaction, PostgreSQL imports split handles over two writer connections.

The rules must not change: a handle's first row lands, later ones are rejected, consent
history is written, and every chunk is committed.
"""

import io

import pytest
from django.db import connection

from creators import import_write
from creators.importer import creator_import_csv
from creators.models import ConsentChange, Creator
from tests.creators.csvfiles import creator_row, csv_bytes


@pytest.mark.django_db(transaction=True)
def test_partitioned_writers_keep_first_row_wins_and_history(monkeypatch):
    used = []
    original = import_write._PartitionedWriter.__init__

    def spy(self, *args, **kwargs):
        used.append(True)
        original(self, *args, **kwargs)

    monkeypatch.setattr(import_write._PartitionedWriter, "__init__", spy)
    assert not connection.in_atomic_block
    rows = [creator_row(f"user_{n}") for n in range(40)]
    rows += [creator_row(f"user_{n}", name="Again") for n in range(0, 40, 10)]
    result = creator_import_csv(file=io.BytesIO(csv_bytes(rows)), chunk_rows=7)
    assert used == [True]
    assert (result.created, result.updated, result.rejected) == (40, 0, 4)
    assert [(e["line"], e["field"]) for e in result.errors] == [
        (42, "handle"),
        (43, "handle"),
        (44, "handle"),
        (45, "handle"),
    ]
    assert not Creator.objects.filter(name="Again").exists()
    # creator_row: email granted, whatsapp denied, push unknown -> two history rows each.
    assert ConsentChange.objects.filter(source="import").count() == 80

    again = creator_import_csv(file=io.BytesIO(csv_bytes(rows[:40])), chunk_rows=7)
    assert (again.created, again.updated, again.rejected) == (0, 40, 0)
    assert ConsentChange.objects.count() == 80
