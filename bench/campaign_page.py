"""Campaign page and its progress partial at 50,000 deliveries (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python -m bench.campaign_page [--deliveries 50000] [--runs 15]

Works in its own database (`altavoz_bench_campaign_page`, made anew and dropped at the end):
fills creators with bench.segment_count's generator, makes a sending campaign on four channels
and its deliveries in SQL, spread over every delivery status, then fetches `/campaigns/<pk>/`
and `/campaigns/<pk>/progress/` through the Django test client (middleware, session, auth,
permissions, template: everything but the network) as a manager, and prints the medians.
Baseline in the same run: the bare grouped count the partial needs, as SQL. Target (issue
5): the progress partial under 300 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.scratch import scratch_django
from bench.segment_count import _fill_sql

TARGET_MS = 300.0

DELIVERIES_SQL = """
INSERT INTO campaigns_delivery (campaign_id, run, channel, creator_id, locale, status, attempts,
    provider_message_id, error_code, error_message, created_at, sent_at, updated_at)
SELECT %(campaign)s, 1,
    (ARRAY['email', 'whatsapp', 'push', 'inbox'])[1 + (c.id %% 4)],
    c.id, c.locale,
    CASE WHEN c.id %% 100 < 60 THEN 'sent' WHEN c.id %% 100 < 85 THEN 'pending'
         WHEN c.id %% 100 < 90 THEN 'failed' WHEN c.id %% 100 < 92 THEN 'unknown'
         WHEN c.id %% 100 < 96 THEN 'sending' ELSE 'claimed' END,
    1, '', CASE WHEN c.id %% 100 BETWEEN 85 AND 89 THEN '21211' ELSE '' END, '',
    now(), now(), now()
FROM creators_creator c ORDER BY c.id LIMIT %(limit)s
"""

BASELINE_SQL = (
    "SELECT status, COUNT(*) FROM campaigns_delivery WHERE campaign_id = %s AND run = 1 "
    "GROUP BY status"
)


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)

    with scratch_django("altavoz_bench_campaign_page"):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.core.cache import cache
        from django.db import connection
        from django.test import Client

        from campaigns import services
        from campaigns.models import Campaign
        from segments.services import segment_create
        from tests.support.factories import MESSAGES

        segment = segment_create(name="Everyone", rules={"all": []})
        campaign = services.campaign_create(
            owner=None,
            name="Campaign page bench",
            kind=Campaign.Kind.MISSION,
            segment=segment,
            messages=[
                {"channel": channel, "locale": locale, **fields}
                for channel, fields in MESSAGES.items()
                for locale in ("es-MX", "en")
            ],
        )
        Campaign.objects.filter(pk=campaign.pk).update(status="sending", last_run=1)
        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(args.deliveries))
            cursor.execute(DELIVERIES_SQL, {"campaign": campaign.pk, "limit": args.deliveries})
            cursor.execute("VACUUM ANALYZE campaigns_delivery")
            cursor.execute(
                "SELECT COUNT(*) FROM campaigns_delivery WHERE campaign_id = %s", [campaign.pk]
            )
            count = cursor.fetchone()[0]
        print(f"campaign {campaign.pk}: {count:,} deliveries in run 1, status sending")

        user = get_user_model().objects.create_user(username="bench-manager")
        user.groups.add(Group.objects.get(name="manager"))
        client = Client()
        client.force_login(user)

        def fetch(url: str):
            def get() -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return get

        def baseline() -> None:
            with connection.cursor() as cursor:
                cursor.execute(BASELINE_SQL, [campaign.pk])
                cursor.fetchall()

        cache.clear()
        page_url = f"/campaigns/{campaign.pk}/"
        progress_url = f"/campaigns/{campaign.pk}/progress/"
        fetch(page_url)()  # warm up: templates compiled, connection open
        fetch(progress_url)()
        results = {
            "bare grouped count SQL (baseline)": statistics.median(timed(baseline, args.runs)),
            "progress partial /progress/": statistics.median(timed(fetch(progress_url), args.runs)),
            "campaign page /campaigns/<pk>/": statistics.median(timed(fetch(page_url), args.runs)),
            "campaign page, failed deliveries filter": statistics.median(
                timed(fetch(f"{page_url}?status=failed&error_code=21211"), args.runs)
            ),
        }
        base = results["bare grouped count SQL (baseline)"]
        print(f"median of {args.runs} requests each, server time through the test client:")
        for name, ms in results.items():
            print(f"  {name:42s} {ms:8.1f} ms  ({ms / base:5.1f}x baseline)")
        worst = max(
            results["progress partial /progress/"], results["campaign page /campaigns/<pk>/"]
        )
        ok = worst < TARGET_MS
        print(
            f"target: progress partial and page under {TARGET_MS:.0f} ms: {'met' if ok else 'NOT met'}"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
