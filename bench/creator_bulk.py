"""Bulk actions of the creators list at 1,000,000 creators: tag, add to a list, and export
the creators a filter matches, through the services the ops pages call.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.creator_bulk [--creators 1000000]

Works in its own database (`<DATABASE_URL's database>_bench_creator_bulk`, made anew and
dropped at the end): fills creators_creator with bench/segment_count.py's generator, then
times each action once on a narrow filter (one state) and on every creator, beside the same
statement written by hand in the same run (the baseline). Each action is one set-based
statement (docs/creators.md, "Bulk actions"); the export streams every row.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from django.db.models import QuerySet

from bench.scratch import scratch_django, scratch_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    with scratch_django(scratch_name("_bench_creator_bulk")):
        from django.contrib.auth import get_user_model
        from django.db import connection

        from bench.segment_count import _fill_sql
        from creators import services
        from creators.export import creator_export_lines
        from creators.selectors import creator_search
        from segments import services as segment_services

        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(args.creators))
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE creators_creator")
        actor = get_user_model().objects.create_superuser("bench", "bench@example.mx", "x")
        print(f"{args.creators:,} creators\n")
        print(f"{'action':<40}{'creators':>10}{'service s':>11}{'hand SQL s':>12}")

        def timed(action: Callable[[], int]) -> tuple[int, float]:
            started = time.perf_counter()
            result = action()
            return result, time.perf_counter() - started

        def hand(sql: str) -> float:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql)
            return time.perf_counter() - started

        for label, state, where in (
            ("one state (JAL)", "JAL", "state = 'JAL'"),
            ("every creator", "", "true"),
        ):
            selection = creator_search(state=state)

            def tag(selection: QuerySet = selection) -> int:
                return services.creators_tag(
                    creators=selection, tag="bench", actor=actor, selection={}
                )

            def add(selection: QuerySet = selection, label: str = label) -> int:
                return segment_services.segment_list_from_creators(
                    name=f"bench {label}", creators=selection, actor=actor, selection={}
                )[1]

            def export(selection: QuerySet = selection) -> int:
                return sum(1 for _line in creator_export_lines(selection)) - 1

            tagged, seconds = timed(tag)
            baseline = hand(
                "UPDATE creators_creator SET tags = tags || '[\"bench2\"]'::jsonb, "
                f"updated_at = now() WHERE {where} AND NOT tags @> '[\"bench2\"]'::jsonb"
            )
            print(f"{'tag, ' + label:<40}{tagged:>10,}{seconds:>11.2f}{baseline:>12.2f}")
            added, seconds = timed(add)
            baseline = hand(
                "CREATE TEMP TABLE bench_members AS SELECT 1 AS segment_id, id AS creator_id "
                f"FROM creators_creator WHERE {where}; DROP TABLE bench_members"
            )
            print(
                f"{'add to a new list, ' + label:<40}{added:>10,}{seconds:>11.2f}{baseline:>12.2f}"
            )
            rows, seconds = timed(export)
            baseline = hand(
                f"COPY (SELECT * FROM creators_creator WHERE {where} ORDER BY id) TO '/dev/null'"
            )
            print(f"{'export, ' + label:<40}{rows:>10,}{seconds:>11.2f}{baseline:>12.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
