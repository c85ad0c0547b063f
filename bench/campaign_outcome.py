"""Campaign outcome at 200,000 creators and 60 days of daily GMV each (12M metric rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://… \
        .venv/bin/python -m bench.campaign_outcome [--creators 200000] [--days 60] [--runs 3]

Works in its own database (`<DATABASE_URL's name>_bench_outcome`, made anew and dropped at the
end): creators from bench.segment_count's generator, one finished campaign with a 10% holdout
and variants A/B sent 30 days ago, one delivery per creator, and a GMV row per creator and day
with +5 MXN a day planted on the sent creators after their send. Times (median of --runs):

- the hand-written SQL (baseline): per-creator pre/post sums of the same rows and the per-arm
  sums of squares, without breakdowns or chart, under the outcome's session settings (no JIT,
  settings.OUTCOME_WORK_MEM);
- the outcome (`campaign_outcome_compute`: breakdowns, chart and estimates), target < 5 s and
  within 2× the baseline;
- the stats page with the outcome cached, through the Django test client, target < 300 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from bench.scratch import scratch_django, scratch_name
from bench.segment_count import _fill_sql

TARGET_SECONDS = 5.0
TARGET_RATIO = 2.0
TARGET_PAGE_MS = 300.0
EFFECT_PER_DAY = 5.0

DELIVERIES_SQL = """
INSERT INTO campaigns_delivery (campaign_id, run, channel, creator_id, locale, status, variant,
    attempts, provider_message_id, error_code, error_message, created_at, sent_at, updated_at)
SELECT %(campaign)s, 1, (ARRAY['email', 'whatsapp', 'push', 'inbox'])[1 + (c.id %% 4)], c.id,
    c.locale, CASE WHEN h.held THEN 'holdout' ELSE 'sent' END,
    CASE WHEN h.held THEN '' WHEN c.id %% 2 = 0 THEN 'A' ELSE 'B' END, 1, '', '', '',
    %(launched)s, CASE WHEN h.held THEN NULL
                       ELSE %(launched)s + (c.id %% 180) * interval '1 minute' END, now()
FROM creators_creator c, LATERAL (SELECT hashint8(c.id) %% 10 = 0 AS held) h
"""

# 60 days ending yesterday; the send is 30 days ago, so both 14-day windows are inside.
METRICS_SQL = """
INSERT INTO programs_creatormetric (creator_id, date, metric, value)
SELECT c.id, d::date, 'gmv',
       round((greatest(0, (20 + (c.id %% 97)) * (0.4 + 1.2 * random()))
              + CASE WHEN dl.status = 'sent' AND d::date >= %(send_day)s
                     THEN %(effect)s ELSE 0 END)::numeric, 2)
FROM creators_creator c
JOIN campaigns_delivery dl ON dl.creator_id = c.id AND dl.campaign_id = %(campaign)s
CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
ORDER BY c.id, d
"""

BASELINE_SQL = """
WITH per AS (
    SELECT d.status = 'sent' AS sent,
           COALESCE(SUM(m.value::float8) FILTER (WHERE m.date < s.day0), 0) AS x,
           COALESCE(SUM(m.value::float8) FILTER (WHERE m.date >= s.day0), 0) AS y
    FROM campaigns_delivery d
    CROSS JOIN LATERAL (SELECT (COALESCE(d.sent_at, d.created_at)
                                AT TIME ZONE 'America/Mexico_City')::date AS day0) s
    LEFT JOIN programs_creatormetric m ON m.creator_id = d.creator_id AND m.metric = 'gmv'
         AND m.date >= s.day0 - 14 AND m.date < s.day0 + 14
    WHERE d.campaign_id = %s AND d.status IN ('sent', 'holdout')
    GROUP BY d.id, d.status
)
SELECT sent, COUNT(*), SUM(x), SUM(y), SUM(x * x), SUM(y * y), SUM(x * y) FROM per GROUP BY sent
"""


def timed(fn: Callable[[], object], runs: int) -> float:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--creators", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)

    with scratch_django(scratch_name("_bench_outcome"), keep=args.keep):
        from datetime import datetime, timedelta
        from datetime import time as day_time

        from django.core.cache import cache
        from django.db import connection, transaction
        from django.test import Client, RequestFactory
        from django.utils import timezone

        from campaigns import services
        from campaigns.models import Campaign
        from outcomes.selectors import (
            campaign_outcome_compute,
            campaign_outcome_get,
            outcome_session_tune,
        )
        from outcomes.views import campaign_outcome_section
        from tests.support.factories import user_make

        today = timezone.localdate()
        send_day = today - timedelta(days=args.days // 2)
        launched = datetime.combine(send_day, day_time(10), tzinfo=timezone.get_current_timezone())
        campaign = services.campaign_create(owner=None, name="Outcome bench", kind="announcement")
        Campaign.objects.filter(pk=campaign.pk).update(
            status="sent",
            last_run=1,
            fanout_run=1,
            launched_at=launched,
            holdout_percent=10,
            variant_weights={"A": 50, "B": 50},
            channels=["email", "whatsapp", "push", "inbox"],
        )
        campaign.refresh_from_db()
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(args.creators))
            cursor.execute(DELIVERIES_SQL, {"campaign": campaign.pk, "launched": launched})
            cursor.execute(
                METRICS_SQL,
                {
                    "campaign": campaign.pk,
                    "send_day": send_day,
                    "effect": EFFECT_PER_DAY,
                    "first": today - timedelta(days=args.days),
                    "last": today - timedelta(days=1),
                },
            )
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT COUNT(*) FROM programs_creatormetric")
            rows = cursor.fetchone()[0]
        print(
            f"{args.creators:,} creators, {rows:,} metric rows, generated in "
            f"{time.perf_counter() - start:.0f} s"
        )

        def baseline() -> None:
            # The same session settings as the outcome's (no JIT, its work_mem).
            with transaction.atomic(), connection.cursor() as cursor:
                outcome_session_tune(cursor)
                cursor.execute(BASELINE_SQL, [campaign.pk])
                cursor.fetchall()

        def outcome() -> None:
            campaign_outcome_compute(campaign=campaign, metric="gmv", window_days=14)

        base_s = timed(baseline, args.runs)
        outcome_s = timed(outcome, args.runs)
        result = campaign_outcome_compute(campaign=campaign, metric="gmv", window_days=14)
        estimate = result.overall.estimate
        assert estimate is not None
        planted = EFFECT_PER_DAY * 14
        print(
            f"estimate {estimate.cuped.estimate:.2f} MXN per creator, 95% CI "
            f"[{estimate.cuped.low:.2f}, {estimate.cuped.high:.2f}] (planted {planted:.2f}); "
            f"sent {estimate.sent:,}, holdout {estimate.holdout:,}"
        )

        cache.clear()
        campaign_outcome_get(campaign=campaign)  # computed once, then cached
        user = user_make("bench-manager", role="manager")
        client = Client()
        client.force_login(user)
        url = f"/stats/campaigns/{campaign.pk}/"

        def page() -> None:
            response = client.get(url)
            assert response.status_code == 200 and b'id="outcome"' in response.content

        page()
        page_ms = timed(page, max(args.runs, 7)) * 1000
        request = RequestFactory().get(url)

        def section() -> None:
            campaign_outcome_section(request, campaign)

        section_ms = timed(section, max(args.runs, 7)) * 1000

        print(f"median of {args.runs} runs (machine load {_load()}):")
        print(f"  hand-written SQL aggregate (baseline) {base_s:7.2f} s")
        print(
            f"  campaign outcome                      {outcome_s:7.2f} s  ({outcome_s / base_s:.2f}x)"
        )
        print(f"  stats page, outcome cached            {page_ms:7.1f} ms")
        print(f"  of which the outcome section          {section_ms:7.1f} ms")
        ok = (
            outcome_s < TARGET_SECONDS
            and outcome_s <= TARGET_RATIO * base_s
            and page_ms < TARGET_PAGE_MS
            and estimate.cuped.low <= planted <= estimate.cuped.high
        )
        print(
            f"target: outcome under {TARGET_SECONDS:.0f} s and within {TARGET_RATIO:.0f}x the "
            f"hand SQL, page under {TARGET_PAGE_MS:.0f} ms, planted effect inside the CI: "
            f"{'met' if ok else 'NOT met'}"
        )
        return 0 if ok else 1


def _load() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
