"""Segment counts at a million creators: the rule compiler beside the same count in hand SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/altavoz_test \
        .venv/bin/python -m bench.segment_count [--creators 1000000] [--runs 7] [--keep]

Works in its own database (`<name of DATABASE_URL's database>_bench_segments`, dropped and
made anew, dropped again at the end unless --keep): migrates it, fills creators_creator with
generate_series (realistic mixes: ~85% es-MX, levels skewed low, long-tailed followers and
GMV, consent rates that differ by channel, tags from a small vocabulary, activity over a
year), builds the segment indexes after the load, VACUUM ANALYZE, then times each count
through `segment_count` and as hand-written SQL: median of --runs runs after a warm-up.
Targets (issue 2): each under 200 ms and within 2x of the hand-written SQL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from bench.scratch import scratch_django, scratch_name

TARGET_MS = 200.0
TARGET_RATIO = 2.0

# (name, rules, hand-written SQL returning the same count)
CASES: list[tuple[str, dict, str]] = [
    (
        "nested all/any/not",
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
        """SELECT count(*) FROM creators_creator
           WHERE locale = 'es-MX' AND level >= 2
             AND (consent_whatsapp = 'granted' OR consent_push = 'granted')
             AND NOT tags @> '["beta"]'
             AND state IN ('JAL', 'NLE', 'CMX', 'MEX')""",
    ),
    (
        "tags contains",
        {"field": "tags", "op": "contains", "value": "vip"},
        """SELECT count(*) FROM creators_creator WHERE tags @> '["vip"]'""",
    ),
    (
        "within_days 30",
        {"field": "last_active_at", "op": "within_days", "value": 30},
        """SELECT count(*) FROM creators_creator
           WHERE last_active_at >= now() - interval '30 days'""",
    ),
    (
        "not_within_days 90",
        {"field": "last_active_at", "op": "not_within_days", "value": 90},
        """SELECT count(*) FROM creators_creator
           WHERE last_active_at < now() - interval '90 days' OR last_active_at IS NULL""",
    ),
    (
        "consent filter",
        {
            "all": [
                {"field": "consent_whatsapp", "op": "eq", "value": "granted"},
                {"field": "consent_email", "op": "ne", "value": "denied"},
            ]
        },
        """SELECT count(*) FROM creators_creator
           WHERE consent_whatsapp = 'granted' AND consent_email <> 'denied'""",
    ),
    (
        "top creators, active, en",
        {
            "all": [
                {"field": "level", "op": "between", "value": [5, 7]},
                {"field": "gmv_30d", "op": "gt", "value": 10000},
                {"field": "last_active_at", "op": "within_days", "value": 14},
            ]
        },
        """SELECT count(*) FROM creators_creator
           WHERE level BETWEEN 5 AND 7 AND gmv_30d > 10000
             AND last_active_at >= now() - interval '14 days'""",
    ),
]

# Ordered by population so that a skewed draw puts more creators in the big states.
STATES = [
    ("MEX", "America/Mexico_City"),
    ("CMX", "America/Mexico_City"),
    ("JAL", "America/Mexico_City"),
    ("VER", "America/Mexico_City"),
    ("PUE", "America/Mexico_City"),
    ("GUA", "America/Mexico_City"),
    ("NLE", "America/Monterrey"),
    ("CHP", "America/Mexico_City"),
    ("MIC", "America/Mexico_City"),
    ("OAX", "America/Mexico_City"),
    ("CHH", "America/Chihuahua"),
    ("GRO", "America/Mexico_City"),
    ("BCN", "America/Tijuana"),
    ("TAM", "America/Matamoros"),
    ("HID", "America/Mexico_City"),
    ("COA", "America/Monterrey"),
    ("SIN", "America/Mazatlan"),
    ("SON", "America/Hermosillo"),
    ("QUE", "America/Mexico_City"),
    ("YUC", "America/Merida"),
    ("SLP", "America/Mexico_City"),
    ("ROO", "America/Cancun"),
    ("TAB", "America/Mexico_City"),
    ("DUR", "America/Monterrey"),
    ("MOR", "America/Mexico_City"),
    ("ZAC", "America/Mexico_City"),
    ("AGU", "America/Mexico_City"),
    ("NAY", "America/Mazatlan"),
    ("TLA", "America/Mexico_City"),
    ("CAM", "America/Merida"),
    ("BCS", "America/Mazatlan"),
    ("COL", "America/Mexico_City"),
]
CATEGORIES = [
    "belleza",
    "moda",
    "hogar",
    "tecnología",
    "mascotas",
    "deportes",
    "bebés",
    "cocina",
    "salud",
    "juguetes",
]
# tag, share of creators that carry it
TAGS = [
    ("vip", 0.03),
    ("nuevo", 0.12),
    ("live-top", 0.05),
    ("mayoreo", 0.08),
    ("afiliado-2024", 0.25),
    ("beta", 0.02),
    ("embajador", 0.01),
    ("pausa", 0.04),
]


def _consent_sql(granted: float, denied: float) -> str:
    return (
        f"CASE WHEN rc < {granted} THEN 'granted' "
        f"WHEN rc < {granted + denied} THEN 'denied' ELSE 'unknown' END"
    )


def _fill_sql(creators: int) -> str:
    states = ", ".join(f"({i}, '{code}', '{zone}')" for i, (code, zone) in enumerate(STATES))
    categories = ", ".join(f"'{c}'" for c in CATEGORIES)
    tag_names = ", ".join(f"'{t}'" for t, _p in TAGS)
    tag_shares = ", ".join(str(p) for _t, p in TAGS)
    # Each random draw gets its own column in `r`; consent draws are re-drawn per channel.
    return f"""
    WITH states(i, code, zone) AS (VALUES {states})
    INSERT INTO creators_creator (
        handle, name, email, phone, locale, timezone, state, market, level, followers, gmv_30d,
        category, content_type, joined_at, last_active_at, tags, consent_email,
        consent_whatsapp, consent_push, consent_inbox, created_at, updated_at)
    SELECT
        'creator_' || lpad(r.g::text, 7, '0'),
        'Creador ' || r.g,
        CASE WHEN r.u_email < 0.9 THEN 'creator' || r.g || '@example.com' ELSE '' END,
        CASE WHEN r.u_phone < 0.8 THEN '+5255' || lpad((r.g::bigint * 7919 % 100000000)::text, 8, '0')
             ELSE '' END,
        CASE WHEN r.u_locale < 0.85 THEN 'es-MX' ELSE 'en' END,
        s.zone,
        s.code,
        'MX',
        least(7, floor(-ln(1 - r.u_level) * 1.4))::int,
        floor(exp(6.5 + 1.9 * sqrt(-2 * ln(1 - r.u_f1)) * cos(2 * pi() * r.u_f2)))::bigint,
        CASE WHEN r.u_gmv < 0.55 THEN 0
             ELSE round((exp(7 + 1.6 * sqrt(-2 * ln(1 - r.u_f2)) * cos(2 * pi() * r.u_f1)))
                        ::numeric, 2) END,
        (ARRAY[{categories}])[1 + floor(power(r.u_cat, 1.6) * {len(CATEGORIES)})::int],
        CASE WHEN r.u_ct < 0.6 THEN 'video' WHEN r.u_ct < 0.75 THEN 'live' ELSE 'both' END,
        -- Whole days before today's midnight: `now() - interval 'N days'` then moves past no
        -- creator while the runs repeat, so every run of a case counts the same creators.
        date_trunc('day', now()) - floor(r.u_joined * 1095) * interval '1 day',
        CASE WHEN r.u_active < 0.08 THEN NULL
             ELSE date_trunc('day', now()) - floor(power(r.u_active2, 2) * 365) * interval '1 day'
             END,
        (SELECT coalesce(jsonb_agg(t.tag), '[]'::jsonb)
           FROM unnest(ARRAY[{tag_names}], ARRAY[{tag_shares}]) AS t(tag, share)
          WHERE random() < t.share + 0 * r.g),
        {_consent_sql(0.55, 0.10).replace("rc", "r.u_c1")},
        {_consent_sql(0.35, 0.15).replace("rc", "r.u_c2")},
        {_consent_sql(0.25, 0.20).replace("rc", "r.u_c3")},
        CASE WHEN r.u_c4 < 0.05 THEN 'denied' ELSE 'granted' END,
        now(), now()
    FROM (
        SELECT g, random() AS u_email, random() AS u_phone, random() AS u_locale,
               random() AS u_state, random() AS u_level, random() AS u_f1, random() AS u_f2,
               random() AS u_gmv, random() AS u_cat, random() AS u_ct, random() AS u_joined,
               random() AS u_active, random() AS u_active2, random() AS u_c1,
               random() AS u_c2, random() AS u_c3, random() AS u_c4
        FROM generate_series(1, {creators}) AS g
    ) AS r
    JOIN states AS s ON s.i = least({len(STATES) - 1}, floor(power(r.u_state, 1.7) * {len(STATES)}))::int
    """


def _medians_ms(first: Callable[[], int], second: Callable[[], int], runs: int) -> tuple:
    """Median ms of each, interleaved (and alternating which goes first) so load drifts hit both."""
    counts = (first(), second())  # warm-up
    first(), second()
    timings: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        order = (0, 1) if run % 2 == 0 else (1, 0)
        for which in order:
            started = time.perf_counter()
            count = (first, second)[which]()
            timings[which].append((time.perf_counter() - started) * 1000)
            assert count == counts[which]
    return statistics.median(timings[0]), statistics.median(timings[1]), counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    bench_db = scratch_name("_bench_segments")
    with scratch_django(bench_db, keep=args.keep):
        from django.core.management import call_command
        from django.db import connection

        from segments.models import Segment
        from segments.selectors import segment_count

        started = time.perf_counter()
        # Load without the segment indexes, then build them: much faster than maintaining them.
        call_command("migrate", "segments", "0001", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(args.creators))
        loaded = time.perf_counter()
        call_command("migrate", verbosity=0)
        indexed = time.perf_counter()
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE creators_creator")
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('creators_creator'))")
            size = cursor.fetchone()[0]
        print(
            f"{args.creators:,} creators in {bench_db}: generated in {loaded - started:.1f} s, "
            f"indexes {indexed - loaded:.1f} s, table with indexes {size}"
        )
        print(f"median of {args.runs} runs after a warm-up (ms)\n")
        print(f"{'segment':<28}{'count':>10}{'compiled':>11}{'hand SQL':>11}{'ratio':>8}  ok")
        failures = 0
        for name, rules, sql in CASES:
            segment = Segment(name=name, kind=Segment.Kind.DYNAMIC, rules=rules)

            def compiled(segment: Segment = segment) -> int:
                return segment_count(segment)

            def by_hand(sql: str = sql) -> int:
                with connection.cursor() as cursor:
                    cursor.execute(sql)
                    return cursor.fetchone()[0]

            compiled_ms, hand_ms, (compiled_count, hand_count) = _medians_ms(
                compiled, by_hand, args.runs
            )
            ratio = compiled_ms / hand_ms if hand_ms else float("inf")
            ok = compiled_ms < TARGET_MS and ratio <= TARGET_RATIO and compiled_count == hand_count
            failures += not ok
            mismatch = "" if compiled_count == hand_count else f" (hand SQL counted {hand_count})"
            print(
                f"{name:<28}{compiled_count:>10,}{compiled_ms:>11.1f}{hand_ms:>11.1f}"
                f"{ratio:>7.2f}x  {'yes' if ok else 'NO'}{mismatch}"
            )
        print(
            f"\ntargets: under {TARGET_MS:.0f} ms and within {TARGET_RATIO:.0f}x of hand SQL; "
            f"{len(CASES) - failures}/{len(CASES)} met"
        )
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
