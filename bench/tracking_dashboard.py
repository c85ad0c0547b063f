"""Campaign stats page server time at 1,000,000 deliveries and 5,000,000 events (PostgreSQL).

    DATABASE_URL=postgres://…/altavoz_bench REDIS_URL=redis://…/9 \
        .venv/bin/python -m bench.tracking_dashboard [--deliveries N] [--events-per 5] [--runs 7]

Generates the data in SQL (creators, one campaign, its deliveries and events), builds the
rollups with `rollup_recount` (timed), then renders the campaign page through the Django
test client (middleware, auth, template, everything) several times and prints the median.
Baseline in the same run: the naive way, counting the same funnel straight from the raw
events table. Existing rows of a previous run are dropped first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaigns.models import Campaign  # noqa: E402
from tracking.counts import delivery_counts_warm  # noqa: E402
from tracking.models import DeliveryCountsSnapshot  # noqa: E402
from tracking.services import rollup_recount  # noqa: E402

CAMPAIGN_NAME = "bench: tracking dashboard"


def sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def generate(deliveries: int, events_per: int) -> Campaign:
    Campaign.objects.filter(name=CAMPAIGN_NAME).delete()
    sql("DELETE FROM creators_creator WHERE handle LIKE 'bench_trk_%%'")
    sql(
        """
        INSERT INTO creators_creator (handle, name, email, phone, locale, timezone, state, market,
            level, followers, gmv_30d, category, content_type, tags, consent_email,
            consent_whatsapp, consent_push, consent_inbox, created_at, updated_at)
        SELECT 'bench_trk_' || g, 'Creadora ' || g, 'c' || g || '@example.com',
            '+52' || (5500000000 + g), CASE WHEN g %% 6 = 0 THEN 'en' ELSE 'es-MX' END,
            'America/Mexico_City', 'CDMX', 'MX', g %% 8, g %% 100000, 0, 'moda', 'video', '[]',
            'granted', 'granted', 'granted', 'granted', now(), now()
        FROM generate_series(1, %s) g
        """,
        [deliveries],
    )
    campaign = Campaign.objects.create(
        name=CAMPAIGN_NAME,
        kind="mission",
        status="sent",
        last_run=1,
        finished_at=timezone.now(),
        channels=["email", "whatsapp", "push", "inbox"],
    )
    sql(
        """
        INSERT INTO campaigns_delivery (campaign_id, run, channel, creator_id, locale, status,
            attempts, provider_message_id, error_code, error_message, created_at, sent_at,
            updated_at)
        SELECT %s, 1,
            (ARRAY['email','email','email','email','whatsapp','whatsapp','whatsapp','push','push',
                   'inbox'])[1 + (c.id %% 10)],
            c.id, c.locale,
            CASE WHEN c.id %% 37 = 0 THEN 'failed' ELSE 'sent' END, 1, 'pm',
            CASE WHEN c.id %% 37 = 0 THEN (ARRAY['21211','63016','UNREGISTERED'])[1 + c.id %% 3]
                 ELSE '' END,
            '', now() - interval '3 days', now() - interval '3 days', now()
        FROM creators_creator c WHERE c.handle LIKE 'bench_trk_%%'
        """,
        [campaign.pk],
    )
    link_ids = []
    for n in range(8):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tracking_trackedlink (url, digest, label, created_at) VALUES (%s, "
                "md5(%s) || md5(%s), '', now()) ON CONFLICT (digest) DO UPDATE SET label = '' "
                "RETURNING id",
                [f"https://shop.example/p/{n}", f"p{n}", f"q{n}"],
            )
            link_ids.append(cursor.fetchone()[0])
    # events_per events per delivery: slot 1 delivered (or app open), then opens (some machine),
    # clicks (some bots) on 8 links, failures, complaints, unsubscribes; spread over 72 hours.
    sql(
        f"""
        INSERT INTO tracking_event (delivery_id, campaign_id, channel, locale, variant, kind, source,
            occurred_at, recorded_at, automated, automated_reason, user_agent, ip_hash, link_id,
            provider_event_id, dedupe_key, error_code)
        SELECT d.id, d.campaign_id, d.channel, d.locale, '', k.kind, 'sendgrid',
            d.sent_at + (((d.id * 7919 + g * 104729) %% 259200) || ' seconds')::interval, now(),
            k.automated, CASE WHEN k.automated THEN 'agent' ELSE '' END, 'Mozilla/5.0 (bench)',
            '', CASE WHEN k.kind = 'clicked' THEN (%s::bigint[])[1 + (d.id + g) %% 8] END, '',
            'g' || g, CASE WHEN k.kind IN ('bounced', 'failed') THEN '5.1.1' ELSE '' END
        FROM campaigns_delivery d
        CROSS JOIN generate_series(1, {int(events_per)}) g
        CROSS JOIN LATERAL (SELECT
            CASE
              WHEN g = 1 AND d.channel IN ('email', 'whatsapp') THEN
                CASE WHEN d.id %% 23 = 0 THEN (CASE WHEN d.channel = 'email' THEN 'bounced' ELSE 'failed' END)
                     ELSE 'delivered' END
              WHEN g = 1 THEN 'opened'
              WHEN g = 2 AND d.channel = 'whatsapp' THEN 'read'
              WHEN g IN (2, 3) THEN 'opened'
              WHEN g = 5 AND d.id %% 53 = 0 THEN 'complained'
              WHEN g = 5 AND d.id %% 29 = 0 THEN 'unsubscribed'
              ELSE 'clicked' END AS kind,
            (g IN (2, 3, 4) AND (d.id + g) %% 5 = 0) AS automated
        ) k
        WHERE d.campaign_id = %s
        """,
        [link_ids, campaign.pk],
    )
    sql("VACUUM ANALYZE campaigns_delivery")
    sql("VACUUM ANALYZE tracking_event")
    return campaign


def naive_funnel(campaign_id: int) -> None:
    """What a page without rollups would run: the funnel counted from raw events."""
    sql(
        """
        SELECT channel,
            COUNT(DISTINCT delivery_id) FILTER (WHERE kind IN ('delivered', 'read')),
            COUNT(DISTINCT delivery_id) FILTER (WHERE kind IN ('opened', 'read') AND NOT automated),
            COUNT(DISTINCT delivery_id) FILTER (WHERE kind = 'clicked' AND NOT automated),
            COUNT(*) FILTER (WHERE kind = 'opened' AND automated)
        FROM tracking_event WHERE campaign_id = %s GROUP BY channel
        """,
        [campaign_id],
    )


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--events-per", type=int, default=5)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous run")
    args = parser.parse_args()
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first() if args.reuse else None
    if campaign is None:
        start = time.perf_counter()
        campaign = generate(args.deliveries, args.events_per)
        print(f"generated in SQL: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        rollup_recount(campaign=campaign)
        print(f"rollup_recount from raw events: {time.perf_counter() - start:.1f} s")
        sql("VACUUM ANALYZE tracking_rollup")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM campaigns_delivery WHERE campaign_id = %s", [campaign.pk]
        )
        n_deliveries = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM tracking_event WHERE campaign_id = %s", [campaign.pk])
        n_events = cursor.fetchone()[0]
    print(f"campaign {campaign.pk}: {n_deliveries:,} deliveries, {n_events:,} events")
    user, _ = get_user_model().objects.get_or_create(username="bench-ops")
    user.groups.add(Group.objects.get(name="analyst"))  # the least role that reads stats
    client = Client()
    client.force_login(user)
    url = f"/stats/campaigns/{campaign.pk}/"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    # A finished campaign: its delivery counts are snapshotted once, by the beat task.
    DeliveryCountsSnapshot.objects.filter(campaign=campaign).delete()
    cache.clear()
    no_snapshot = timed(page, 1)[0]  # counts here, once, if the task has not run yet
    DeliveryCountsSnapshot.objects.filter(campaign=campaign).delete()
    start = time.perf_counter()
    delivery_counts_warm()
    warm_task = (time.perf_counter() - start) * 1000
    cache.clear()
    cold = timed(page, 1)[0]
    warm = timed(page, args.runs)
    # A sending campaign whose cached counts expired (the warm task keeps them fresh).
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    with override_settings(TRACKING_DELIVERY_COUNTS_TTL=0):
        uncached = timed(page, max(3, args.runs // 2))
    Campaign.objects.filter(pk=campaign.pk).update(status="sent")
    naive = timed(lambda: naive_funnel(campaign.pk), 3)
    median = statistics.median(warm)
    print(f"delivery_counts_warm task (snapshot of the finished campaign): {warm_task:.1f} ms")
    print(
        f"campaign page, first view after the task (empty cache): {cold:.1f} ms  (target < 100 ms)"
    )
    print(f"campaign page, median of {len(warm)} views: {median:.1f} ms  (target < 100 ms)")
    print(f"campaign page, first view before the task ran (counts once): {no_snapshot:.1f} ms")
    print(
        "sending campaign, delivery-count cache off (what the warm task spares), median: "
        f"{statistics.median(uncached):.1f} ms"
    )
    print(
        f"baseline, the funnel counted from raw events, median: {statistics.median(naive):.1f} ms"
    )
    print(f"ratio page / naive count: {median / statistics.median(naive):.3f}")


if __name__ == "__main__":
    main()
