"""Fan-out at a million creators: `deliveries_create` beside a hand-written INSERT … SELECT.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/altavoz_test \
        .venv/bin/python -m bench.fanout [--creators 1000000] [--runs 3]

Works in its own database (`<DATABASE_URL's database>_bench_fanout`, made anew and dropped at
the end): fills 1M creators with bench.segment_count's generator, then creates the deliveries
of a campaign to all of them on the Inbox channel (every creator is reachable there), through
the service and as the bare `INSERT … SELECT` a person would write, alternating, with the
table emptied between runs. Target (issue 3): under 10 s and within 3x of the hand SQL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.scratch import scratch_django
from bench.segment_count import _fill_sql

TARGET_S = 10.0
TARGET_RATIO = 3.0

HAND_SQL = """
INSERT INTO campaigns_delivery (campaign_id, run, channel, creator_id, locale, status, attempts,
                                provider_message_id, error_code, error_message, created_at, updated_at)
SELECT %s, 1, 'inbox', id, CASE WHEN locale IN ('en', 'es-MX') THEN locale ELSE 'es-MX' END,
       'pending', 0, '', '', '', now(), now()
FROM creators_creator WHERE consent_inbox = 'granted'
ON CONFLICT DO NOTHING
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    with scratch_django("altavoz_bench_fanout"):
        from django.db import connection

        from campaigns import fanout, services
        from campaigns.models import Campaign, Delivery
        from segments.services import segment_create

        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(args.creators))
            # Every creator reachable on Inbox, so a million creators make a million deliveries.
            cursor.execute("UPDATE creators_creator SET consent_inbox = 'granted'")
            cursor.execute("VACUUM ANALYZE creators_creator")
        segment = segment_create(name="Everyone", rules={"all": []})
        campaign = services.campaign_create(
            owner=None,
            name="Fan-out bench",
            kind=Campaign.Kind.ANNOUNCEMENT,
            segment=segment,
            messages=[
                {
                    "channel": "inbox",
                    "locale": locale,
                    "title": "Hola",
                    "body": "Hola {{ creator.first_name }}",
                }
                for locale in ("es-MX", "en")
            ],
        )

        def empty() -> None:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE campaigns_delivery CASCADE")
                cursor.execute("CHECKPOINT")

        def through_service() -> int:
            return fanout.deliveries_create(campaign=campaign, run=1)

        def by_hand() -> int:
            with connection.cursor() as cursor:
                cursor.execute(HAND_SQL, [campaign.pk])
                return cursor.rowcount

        timings: dict[str, list[float]] = {"service": [], "hand": []}
        rows: dict[str, int] = {}
        for run in range(args.runs):
            order = [("service", through_service), ("hand", by_hand)]
            for name, create in order if run % 2 == 0 else reversed(order):
                empty()
                started = time.perf_counter()
                rows[name] = create()
                timings[name].append(time.perf_counter() - started)
        assert (
            Delivery.objects.count() == rows["service"] or rows["hand"] == Delivery.objects.count()
        )
        service_s, hand_s = (
            statistics.median(timings["service"]),
            statistics.median(timings["hand"]),
        )
        ratio = service_s / hand_s
        ok = service_s < TARGET_S and ratio <= TARGET_RATIO and rows["service"] == rows["hand"]
        print(
            f"fan-out of {rows['service']:,} deliveries (median of {args.runs}, table emptied between runs)"
        )
        print(
            f"  deliveries_create      {service_s:7.2f} s  ({rows['service'] / service_s:,.0f} rows/s)"
        )
        print(f"  hand INSERT … SELECT   {hand_s:7.2f} s  ({rows['hand'] / hand_s:,.0f} rows/s)")
        print(
            f"  ratio {ratio:.2f}x; targets: under {TARGET_S:.0f} s and within {TARGET_RATIO:.0f}x: {'met' if ok else 'NOT met'}"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
