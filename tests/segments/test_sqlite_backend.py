"""The embedded demo runs on SQLite: migrations apply there and rules (tags included) count right.

The suite's database is PostgreSQL; this module opens a second, in-memory SQLite connection,
migrates it and checks the compiler's SQLite SQL (json_each for tags) against the same
independent evaluator.
"""

import pytest
from django.core.management import call_command
from django.db import connections

from segments.models import Segment
from segments.selectors import segment_creators
from tests.segments.conftest import NOW, build_creators
from tests.segments.oracle import handles_matching
from tests.segments.test_count_matches_independent import EMPTY_GROUPS, GROUPS, LEAVES

ALIAS = "segments_sqlite"


@pytest.fixture(scope="module")
def sqlite_rows(django_db_blocker):
    config = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    connections.settings[ALIAS] = connections.configure_settings(
        {"default": connections.settings["default"], ALIAS: config}
    )[ALIAS]
    with django_db_blocker.unblock():
        call_command("migrate", database=ALIAS, verbosity=0)
        from creators.models import Creator

        Creator.objects.using(ALIAS).bulk_create(build_creators())
        rows = list(Creator.objects.using(ALIAS).values())
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            indexes = {name for (name,) in cursor.fetchall()}
        yield rows, indexes
        connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def test_segment_indexes_migrate_on_sqlite_without_the_gin_one(sqlite_rows):
    _rows, indexes = sqlite_rows
    assert "creator_seg_last_active" in indexes
    assert "creator_seg_tags" not in indexes


@pytest.mark.parametrize("rules", LEAVES + GROUPS + [rules for rules, _ in EMPTY_GROUPS], ids=str)
def test_sqlite_selects_what_independent_evaluation_selects(sqlite_rows, django_db_blocker, rules):
    rows, _indexes = sqlite_rows
    segment = Segment(name="t", kind=Segment.Kind.DYNAMIC, rules=rules)
    with django_db_blocker.unblock():
        selected = set(
            segment_creators(segment, now=NOW).using(ALIAS).values_list("handle", flat=True)
        )
    assert selected == handles_matching(rows, rules, NOW)
