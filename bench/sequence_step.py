"""A sequence step's audience over a million deliveries, beside the bare SELECT of them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/altavoz_test \
        .venv/bin/python -m bench.sequence_step [--creators 1000000] [--runs 3]

Works in its own database (`altavoz_bench_sequence_step`, made anew and dropped at the end):
fills 1M creators with bench.segment_count's generator, gives each a sent Inbox delivery of
one campaign run (a third opened, a tenth clicked), then computes the audience of a
"not opened" step with the exit rule "clicked or unsubscribed" (`step_audience_count`) and,
as the baseline, counts the bare `SELECT creator_id` of the run's deliveries, alternating.
Finally it executes the step once through fan-out (audience + INSERT) and prints that too.
Target (issue 11): the audience in under 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta

from bench.scratch import scratch_django
from bench.segment_count import _fill_sql

TARGET_S = 5.0

DELIVERIES_SQL = """
INSERT INTO campaigns_delivery (campaign_id, run, step, channel, creator_id, locale, status,
                                attempts, provider_message_id, error_code, error_message,
                                created_at, updated_at, sent_at, first_opened_at, first_clicked_at)
SELECT %(campaign)s, 1, 0, 'inbox', id, 'es-MX', 'sent', 1, '', '', '', %(at)s, %(at)s, %(at)s,
       CASE WHEN id %% 3 = 0 OR id %% 10 = 0 THEN %(opened)s END,
       CASE WHEN id %% 10 = 0 THEN %(clicked)s END
FROM creators_creator
"""

BASELINE_SQL = "SELECT COUNT(*) FROM (SELECT creator_id FROM campaigns_delivery WHERE campaign_id = %s AND run = 1) d"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    with scratch_django("altavoz_bench_sequence_step"):
        from django.db import connection
        from django.utils import timezone

        from campaigns import sequences, services
        from campaigns.models import Campaign, SequenceStep
        from segments.services import segment_create

        launched = timezone.now() - timedelta(days=3)
        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(args.creators))
            cursor.execute("UPDATE creators_creator SET consent_inbox = 'granted'")
            cursor.execute("VACUUM ANALYZE creators_creator")
        segment = segment_create(name="Everyone", rules={"all": []})
        inbox = [
            {"channel": "inbox", "locale": locale, "title": "Hola", "body": "Hola"}
            for locale in ("es-MX", "en")
        ]
        campaign = services.campaign_create(
            owner=None,
            name="Sequence bench",
            kind=Campaign.Kind.ANNOUNCEMENT,
            segment=segment,
            messages=inbox,
        )
        step = sequences.sequence_step_save(
            campaign=campaign,
            channel="inbox",
            wait_minutes=3 * 24 * 60,
            condition=SequenceStep.Condition.NOT_OPENED,
            messages=[{k: v for k, v in m.items() if k != "channel"} for m in inbox],
        )
        Campaign.objects.filter(pk=campaign.pk).update(
            status=Campaign.Status.SENDING,
            last_run=1,
            launched_at=launched,
            sequence_exit=["clicked", "unsubscribed"],
        )
        campaign.refresh_from_db()
        step.refresh_from_db()
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(
                DELIVERIES_SQL,
                {
                    "campaign": campaign.pk,
                    "at": adapt(launched),
                    "opened": adapt(launched + timedelta(hours=1)),
                    "clicked": adapt(launched + timedelta(hours=2)),
                },
            )
            deliveries = cursor.rowcount
            cursor.execute("VACUUM ANALYZE campaigns_delivery")
        now = timezone.now()

        def audience() -> int:
            return sequences.step_audience_count(step=step, run=1, now=now)

        def baseline() -> int:
            with connection.cursor() as cursor:
                cursor.execute(BASELINE_SQL, [campaign.pk])
                return cursor.fetchone()[0]

        timings: dict[str, list[float]] = {"audience": [], "baseline": []}
        rows: dict[str, int] = {}
        for run in range(args.runs):
            order = [("audience", audience), ("baseline", baseline)]
            for name, measure in order if run % 2 == 0 else reversed(order):
                started = time.perf_counter()
                rows[name] = measure()
                timings[name].append(time.perf_counter() - started)
        started = time.perf_counter()
        created = sequences.step_execute(step=step, run=1, now=now)
        execute_s = time.perf_counter() - started
        audience_s = statistics.median(timings["audience"])
        baseline_s = statistics.median(timings["baseline"])
        ratio = audience_s / baseline_s
        ok = audience_s < TARGET_S and created == rows["audience"]
        print(f"a 'not opened' step over {deliveries:,} deliveries (median of {args.runs})")
        print(f"  step audience          {audience_s:7.2f} s  ({rows['audience']:,} creators)")
        print(f"  bare SELECT baseline   {baseline_s:7.2f} s  ({rows['baseline']:,} deliveries)")
        print(f"  ratio {ratio:.2f}x")
        print(
            f"  step executed (audience + fan-out INSERT) {execute_s:.2f} s, {created:,} deliveries"
        )
        print(f"  target: audience under {TARGET_S:.0f} s: {'met' if ok else 'NOT met'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
