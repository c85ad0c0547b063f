"""Ops creator pages at 50,000 creators: server time of each request beside its raw SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python -m bench.creator_pages [--creators 50000] [--runs 9] [--keep]

Works in its own database (`<name of DATABASE_URL's database>_bench_creator_pages`, dropped
and made anew, dropped again at the end unless --keep): migrates it, fills creators_creator
with the same generator as bench/segment_count.py, VACUUM ANALYZE, then times each page as a
whole request through Django's test client (middleware, session, permission check, the
selectors' queries and template rendering) signed in as a superuser, and, as the baseline
measured in the same run, the SQL those pages run (the capped count and the page of rows)
sent straight through a cursor. "htmx" is the same list request as the filters send it (only
the results table is rendered). Median of --runs runs after a warm-up.
Target (issue 5): every page under 300 ms of server time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from bench.scratch import scratch_django, scratch_name

TARGET_MS = 300.0

_LIST_COLUMNS = (
    "id, handle, name, email, phone, state, level, locale, followers, last_active_at, "
    "consent_email, consent_whatsapp, consent_push, consent_inbox"
)

# (name, query string of /creators/, hand-written SQL the page runs: the page of rows, and the
# count capped at 1,001 unless the first page already holds every match)
CASES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "text search (name/handle/email)",
        {"q": "creador 4242"},
        [
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator
                 WHERE handle LIKE 'creador 4242%' OR upper(name) LIKE upper('%creador 4242%')
                    OR upper(email) LIKE upper('creador 4242%') ORDER BY handle LIMIT 51""",
        ],
    ),
    (
        "handle prefix",
        {"q": "@creator_00123"},
        [
            """SELECT count(*) FROM (SELECT 1 FROM creators_creator
                 WHERE handle LIKE 'creator\\_00123%' LIMIT 1001) AS c""",
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator
                 WHERE handle LIKE 'creator\\_00123%' ORDER BY handle LIMIT 51""",
        ],
    ),
    (
        "phone prefix",
        {"q": "+5255123"},
        [
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator
                 WHERE phone LIKE '+5255123%' ORDER BY handle LIMIT 51""",
        ],
    ),
    (
        "state + WhatsApp consent",
        {"state": "JAL", "consent_whatsapp": "granted"},
        [
            """SELECT count(*) FROM (SELECT 1 FROM creators_creator
                 WHERE state = 'JAL' AND consent_whatsapp = 'granted' LIMIT 1001) AS c""",
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator
                 WHERE state = 'JAL' AND consent_whatsapp = 'granted' ORDER BY handle LIMIT 51""",
        ],
    ),
    (
        "state + consent, deep page",
        {"state": "JAL", "consent_whatsapp": "granted", "after": "creator_0040000"},
        [
            """SELECT count(*) FROM (SELECT 1 FROM creators_creator
                 WHERE state = 'JAL' AND consent_whatsapp = 'granted' LIMIT 1001) AS c""",
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator
                 WHERE state = 'JAL' AND consent_whatsapp = 'granted'
                   AND handle > 'creator_0040000' ORDER BY handle LIMIT 51""",
        ],
    ),
    (
        "level + tag + active 30 days",
        {"level": "2", "tags": "vip", "active": "30"},
        [
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator
                 WHERE level = 2 AND tags @> '["vip"]'
                   AND last_active_at >= now() - interval '30 days' ORDER BY handle LIMIT 51""",
        ],
    ),
    (
        "most followers first",
        {"sort": "followers"},
        [
            "SELECT count(*) FROM (SELECT 1 FROM creators_creator LIMIT 1001) AS c",
            f"SELECT {_LIST_COLUMNS} FROM creators_creator ORDER BY followers DESC, id DESC LIMIT 51",
        ],
    ),
    (
        "state, highest GMV first",
        {"state": "JAL", "sort": "gmv"},
        [
            """SELECT count(*) FROM (SELECT 1 FROM creators_creator
                 WHERE state = 'JAL' LIMIT 1001) AS c""",
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator WHERE state = 'JAL'
                 ORDER BY gmv_30d DESC, id DESC LIMIT 51""",
        ],
    ),
    (
        "most recently active, second page",
        {"sort": "active", "after": "2026-12-01T00:00:00+00:00~500000"},
        [
            "SELECT count(*) FROM (SELECT 1 FROM creators_creator LIMIT 1001) AS c",
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator
                 WHERE last_active_at IS NOT NULL
                   AND (last_active_at, id) < ('2026-12-01T00:00:00+00:00', 500000)
                 ORDER BY last_active_at DESC, id DESC LIMIT 51""",
        ],
    ),
    (
        "most recently active, first page",
        {"sort": "active"},
        [
            "SELECT count(*) FROM (SELECT 1 FROM creators_creator LIMIT 1001) AS c",
            f"""SELECT {_LIST_COLUMNS} FROM creators_creator WHERE last_active_at IS NOT NULL
                 ORDER BY last_active_at DESC, id DESC LIMIT 51""",
        ],
    ),
    (
        "no filter (first page)",
        {},
        [
            "SELECT count(*) FROM (SELECT 1 FROM creators_creator LIMIT 1001) AS c",
            f"SELECT {_LIST_COLUMNS} FROM creators_creator ORDER BY handle LIMIT 51",
        ],
    ),
]


def _medians_ms(first: Callable[[], object], second: Callable[[], object], runs: int) -> tuple:
    """Median ms of each, interleaved (alternating which goes first) so load drifts hit both."""
    first(), second(), first(), second()  # warm-up
    timings: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        for which in (0, 1) if run % 2 == 0 else (1, 0):
            started = time.perf_counter()
            (first, second)[which]()
            timings[which].append((time.perf_counter() - started) * 1000)
    return statistics.median(timings[0]), statistics.median(timings[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    bench_db = scratch_name("_bench_creator_pages")
    with scratch_django(bench_db, keep=args.keep):
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from bench.segment_count import _fill_sql
        from creators.models import Creator

        # The test client's host, without setup_test_environment(): its template instrumentation
        # (a copy of the context per template rendered) would be timed as if it were the page's.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(args.creators))
        loaded = time.perf_counter()
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE creators_creator")
        user = get_user_model().objects.create_superuser("bench", "bench@example.mx", "x")
        client = Client()
        client.force_login(user)
        print(f"{args.creators:,} creators in {bench_db}: generated in {loaded - started:.1f} s")
        print(f"median of {args.runs} runs after a warm-up (ms)\n")
        print(f"{'page':<34}{'rows':>6}{'request':>10}{'htmx':>10}{'raw SQL':>10}  ok")

        pages: list[tuple[str, str, dict[str, str], list[str]]] = [
            (name, "/creators/", query, sql) for name, query, sql in CASES
        ]
        some = Creator.objects.order_by("handle")[args.creators // 2]
        pages.append(
            (
                "creator page (no messages)",
                some.get_absolute_url(),
                {},
                [
                    f"SELECT * FROM creators_creator WHERE id = {some.pk}",
                    f"""SELECT * FROM creators_consentchange WHERE creator_id = {some.pk}
                        ORDER BY recorded_at DESC, id DESC LIMIT 200""",
                    f"SELECT * FROM creators_device WHERE creator_id = {some.pk}",
                    f"SELECT count(*) FROM campaigns_delivery WHERE creator_id = {some.pk}",
                ],
            )
        )
        failures = 0
        for name, path, query, statements in pages:
            rows: list[int] = []

            def request(
                path: str = path, query: dict[str, str] = query, rows: list[int] = rows
            ) -> None:
                response = client.get(path, query)
                assert response.status_code == 200, (path, query, response.status_code)
                rows[:] = [response.content.count(b'<td><a href="/creators/')]

            def raw(statements: list[str] = statements) -> None:
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(sql)
                        cursor.fetchall()

            def partial(path: str = path, query: dict[str, str] = query) -> None:
                response = client.get(path, query, headers={"HX-Request": "true"})
                assert response.status_code == 200, (path, query, response.status_code)

            request_ms, raw_ms = _medians_ms(request, raw, args.runs)
            partial_ms = _medians_ms(partial, raw, args.runs)[0] if path == "/creators/" else 0
            ok = request_ms < TARGET_MS and partial_ms < TARGET_MS
            failures += not ok
            print(
                f"{name:<34}{rows[0]:>6}{request_ms:>10.1f}"
                f"{f'{partial_ms:.1f}' if partial_ms else '-':>10}{raw_ms:>10.1f}  {'yes' if ok else 'NO'}"
            )
        print(
            f"\ntarget: every page under {TARGET_MS:.0f} ms; {len(pages) - failures}/"
            f"{len(pages)} met"
        )
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
