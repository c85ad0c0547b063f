"""The segment builder's live preview at 50,000 creators: the whole request beside a bare count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/altavoz_test \
        .venv/bin/python -m bench.segment_preview [--creators 50000] [--runs 15] [--keep]

Works in its own database (`<name of DATABASE_URL's database>_bench_preview`, dropped and made
anew, dropped again at the end unless --keep), filled like bench.segment_count (same
generate_series mix), indexes built after the load, VACUUM ANALYZE. For a few realistic nested
trees it then times, interleaved, median of --runs runs after a warm-up:

- preview: a signed-in editor's POST to /segments/preview/ through Django's test client (the
  whole server side: middleware, session and permission checks, JSON parse, rule check,
  COUNT, the sample walk, the HTML partial), with DEBUG off;
- baseline: the bare compiled query's count, `Creator.objects.filter(rules_compile(rules))`.

Target (issue 5): preview under 300 ms server time. The ratio says what the preview adds on top
of the one query it cannot avoid.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable

from bench.scratch import scratch_django, scratch_name
from bench.segment_count import _fill_sql

TARGET_MS = 300.0

CASES: list[tuple[str, dict]] = [
    (
        "level 3+ AND (JAL OR WhatsApp)",
        {
            "all": [
                {"field": "level", "op": "gte", "value": 3},
                {
                    "any": [
                        {"field": "state", "op": "eq", "value": "JAL"},
                        {"field": "consent_whatsapp", "op": "eq", "value": "granted"},
                    ]
                },
            ]
        },
    ),
    (
        "es-MX, consent any, not beta, states",
        {
            "all": [
                {"field": "locale", "op": "eq", "value": "es-MX"},
                {"field": "level", "op": "gte", "value": 2},
                {
                    "any": [
                        {"field": "consent_whatsapp", "op": "eq", "value": "granted"},
                        {"field": "consent_push", "op": "eq", "value": "granted"},
                    ]
                },
                {"not": {"field": "tags", "op": "contains", "value": "beta"}},
                {"field": "state", "op": "in", "value": ["JAL", "NLE", "CMX", "MEX"]},
            ]
        },
    ),
    (
        "rare: top, active, vip or embajador",
        {
            "all": [
                {"field": "level", "op": "between", "value": [4, 7]},
                {"field": "last_active_at", "op": "within_days", "value": 30},
                {
                    "any": [
                        {"field": "tags", "op": "contains", "value": "vip"},
                        {"field": "tags", "op": "contains", "value": "embajador"},
                    ]
                },
            ]
        },
    ),
    (
        "lapsed, not (any of 3 states)",
        {
            "all": [
                {"field": "last_active_at", "op": "not_within_days", "value": 90},
                {
                    "not": {
                        "any": [
                            {"field": "state", "op": "eq", "value": "CMX"},
                            {"field": "state", "op": "eq", "value": "MEX"},
                            {"field": "state", "op": "eq", "value": "JAL"},
                        ]
                    }
                },
                {"field": "followers", "op": "gte", "value": 1000},
            ]
        },
    ),
]

COUNT_IN_PAGE = re.compile(r'data-testid="segment-count">(\d+)<')


def _medians_ms(
    preview: Callable[[], int], baseline: Callable[[], int], runs: int
) -> tuple[float, float, int, int]:
    """Median ms of each, interleaved (alternating which goes first) so load drifts hit both."""
    counts = (preview(), baseline())  # warm-up
    timings: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        order = (0, 1) if run % 2 == 0 else (1, 0)
        for which in order:
            started = time.perf_counter()
            count = (preview, baseline)[which]()
            timings[which].append((time.perf_counter() - started) * 1000)
            assert count == counts[which]
    return statistics.median(timings[0]), statistics.median(timings[1]), *counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    import warnings

    # The static files directory is not built for a benchmark; whitenoise says so per client.
    warnings.filterwarnings("ignore", message="No directory at")
    bench_db = scratch_name("_bench_preview")
    # DEBUG off, as served: no SQL logging, no debug toolbar-like overhead.
    with scratch_django(bench_db, keep=args.keep, environ={"DEBUG": "0"}):
        from django.contrib.auth.models import Group, User
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from creators.models import Creator
        from segments.rules import rules_compile

        call_command("migrate", "segments", "0001", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(args.creators))
        call_command("migrate", verbosity=0)
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE creators_creator")
        editor = User.objects.create_user(username="bench-editor")
        editor.groups.add(Group.objects.get(name="editor"))
        client = Client()
        client.force_login(editor)

        print(f"{args.creators:,} creators in {bench_db}")
        print(f"median of {args.runs} runs after a warm-up (ms)\n")
        print(f"{'rule tree':<38}{'count':>8}{'preview':>10}{'count only':>12}{'ratio':>8}  ok")
        failures = 0
        for name, rules in CASES:
            body = {"rules": json.dumps(rules)}

            def preview(body: dict = body) -> int:
                response = client.post("/segments/preview/", body)
                assert response.status_code == 200, response.status_code
                match = COUNT_IN_PAGE.search(response.content.decode())
                assert match, response.content.decode()[:500]
                return int(match.group(1))

            def baseline(rules: dict = rules) -> int:
                return Creator.objects.filter(rules_compile(rules)).count()

            preview_ms, count_ms, shown, counted = _medians_ms(preview, baseline, args.runs)
            ratio = preview_ms / count_ms if count_ms else float("inf")
            ok = preview_ms < TARGET_MS and shown == counted
            failures += not ok
            mismatch = "" if shown == counted else f" (bare count {counted})"
            print(
                f"{name:<38}{shown:>8,}{preview_ms:>10.1f}{count_ms:>12.1f}{ratio:>7.2f}x"
                f"  {'yes' if ok else 'NO'}{mismatch}"
            )
        print(
            f"\ntarget: preview under {TARGET_MS:.0f} ms; {len(CASES) - failures}/{len(CASES)} met"
        )
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
