"""Indexes on creators_creator that keep segment counts fast at a million creators.

They live here, beside the rule compiler that needs them, as raw SQL: the GIN index on tags is
PostgreSQL-only, so each statement runs only on the backends listed with it (the SQLite demo
gets the btree ones). Segment rules compile to plain WHERE clauses over these columns; see
docs/segments.md (Performance) and bench/segment_count.py.
"""

from django.db import migrations

TABLE = "creators_creator"

# (index name, column definition, backends that get it). Only indexes that measurably speed up
# counts at 1M creators (bench/segment_count.py): date rules (within_days, ranges) become
# index-only scans, high levels and rare tags small bitmap scans (level 5+ with recent activity:
# ~20 ms with the level index, ~300 ms without). Single-column indexes on locale, state and the
# consent columns were measured and left out: their values are common, so PostgreSQL picked
# bitmap scans visiting nearly every heap page, no faster than the parallel sequential scan
# they replaced, and each index slows the bulk import.
INDEXES = [
    ("creator_seg_level", "(level)", {"postgresql", "sqlite"}),
    ("creator_seg_last_active", "(last_active_at)", {"postgresql", "sqlite"}),
    ("creator_seg_joined", "(joined_at)", {"postgresql", "sqlite"}),
    ("creator_seg_tags", "USING gin (tags jsonb_path_ops)", {"postgresql"}),
]


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, definition, vendors in INDEXES:
        if vendor in vendors:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {definition}")


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, _definition, vendors in INDEXES:
        if vendor in vendors:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("creators", "0001_initial"),
        ("segments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
