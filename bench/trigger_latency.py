"""Triggered campaign latency: from recording an event to the fake Twilio receiving the
WhatsApp request it triggered, p50/p95/p99, while events arrive at a steady rate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/altavoz_test REDIS_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python -m bench.trigger_latency [--seconds 300] [--rate 500] [--creators 1000000]

In one run, on a scratch database of `--creators` creators (all reachable on WhatsApp):
- the baseline: the fake's round trip for one message sent straight through the WhatsApp
  adapter from this process (no database, no queue), one at a time;
- Altavoz: an armed triggered campaign (`sale_made` with `amount ≥ 100`, repeat always, a
  segment of every creator) while this process records `--rate` events/s through
  `events_record` (the path `/api/events` takes) for `--seconds`, in batches every 100 ms, to
  random creators; real Celery worker processes route, fan out and dispatch. Each event's
  sequence number is in the message body; its latency is the fake's receive time minus the
  time just before its batch was recorded.
Target (issue 19): p95 under 5 s for 5 minutes at 500 events/s over 1M creators, and every
event sent. TRIGGER_BENCH_SECONDS sets the default duration for trial runs.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.scratch import scratch_django, scratch_name
from bench.segment_count import _fill_sql

if TYPE_CHECKING:
    from fakes.client import FakeProviders

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_S = 5.0
BODY = re.compile(r"venta #(\d+)")


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        value = values[0] if values else float("nan")
        return value, value, value
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def adapter_round_trips(fakes: FakeProviders, *, count: int) -> list[float]:
    """Seconds per single-message send through the WhatsApp adapter, one after another."""

    import uvloop

    from channels.base import Outgoing
    from channels.whatsapp import WhatsAppAdapter

    async def run() -> list[float]:
        adapter = WhatsAppAdapter()
        times = []
        for i in range(count + 5):
            item = Outgoing(
                delivery_id=10_000_000 + i,
                creator_id=i,
                campaign_id=1,
                locale="es-MX",
                content={"body": f"¡Gracias! venta #baseline{i}"},
                phone=f"+5255{i:08d}",
                status_callback_url="http://127.0.0.1:9/webhooks/twilio/status/1?s=0",
            )
            started = time.perf_counter()
            await adapter.send_batch([item])
            if i >= 5:  # the first ones connect
                times.append(time.perf_counter() - started)
        await adapter.close()
        return times

    return uvloop.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("TRIGGER_BENCH_SECONDS", 300))
    )
    parser.add_argument("--rate", type=int, default=500, help="events per second")
    parser.add_argument("--creators", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=3, help="Celery worker processes")
    args = parser.parse_args(argv)

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8")
    from fakes.client import FakeProviders

    fakes = FakeProviders().start()
    tmp = Path(tempfile.mkdtemp(prefix="altavoz-bench-"))
    settings_env = {
        **fakes.settings_env(fakes.fcm_credentials_write(tmp / "fcm.json")),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "TWILIO_WHATSAPP_FROM": "+14155238886",
        "PROVIDER_RATE_LIMITS": "twilio=0,sendgrid=0,fcm=0,smtp=0,inbox=0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
    }
    try:
        with scratch_django(scratch_name("_trigger_latency"), environ=settings_env):
            return _bench_run(args, fakes, tmp, redis_url)
    finally:
        fakes.stop()


def _bench_run(args: argparse.Namespace, fakes: FakeProviders, tmp: Path, redis_url: str) -> int:
    import redis
    from django.db import connection
    from django.db.models import Count

    from campaigns import services, triggers
    from campaigns.models import Campaign, TriggerMatch
    from events.services import EventIn, events_record
    from segments.services import segment_create

    redis.Redis.from_url(redis_url).flushdb()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_fill_sql(args.creators))
        cursor.execute(
            "UPDATE creators_creator SET consent_whatsapp = 'granted', "
            "whatsapp_window_open_until = now() + interval '1 day', "
            "phone = '+5255' || lpad(id::text, 8, '0')"
        )
        cursor.execute("VACUUM ANALYZE creators_creator")
        cursor.execute("SELECT min(id), max(id) FROM creators_creator")
        low, high = cursor.fetchone()
    print(f"{args.creators:,} creators in {time.perf_counter() - started:.0f} s", flush=True)

    fakes.reset()
    fakes.set_behaviour("twilio", callbacks={"enabled": False})
    baseline = adapter_round_trips(fakes, count=300)
    fakes.reset()
    fakes.set_behaviour("twilio", callbacks={"enabled": False})

    segment = segment_create(
        name="Todos", rules={"all": [{"field": "level", "op": "gte", "value": 0}]}
    )
    campaign = services.campaign_create(
        owner=None,
        name="Gracias por tu venta",
        kind=Campaign.Kind.ANNOUNCEMENT,
        segment=segment,
        messages=[
            {
                "channel": "whatsapp",
                "locale": locale,
                "body": "¡Gracias {{ creator.first_name }}! venta #{{ event.props.seq }}",
            }
            for locale in ("es-MX", "en")
        ],
    )
    triggers.campaign_trigger_set(
        campaign=campaign,
        trigger={
            "event": "sale_made",
            "where": {"field": "amount", "op": "gte", "value": 100},
            "repeat": "always",
        },
    )
    services.campaign_launch(campaign=campaign)

    log = open(tmp / "worker.log", "wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--concurrency={args.workers}",
            "--pool=prefork",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-n",
            "bench-trigger@%h",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    sent_at: dict[int, float] = {}
    seq = 0
    rng = random.Random(19)

    def record(count: int) -> None:
        nonlocal seq
        batch = []
        for _ in range(count):
            seq += 1
            batch.append(
                EventIn(
                    name="sale_made",
                    creator_id=rng.randint(low, high),
                    props={"amount": 150, "seq": seq},
                    idempotency_key=f"bench-{seq}",
                )
            )
        now = time.time()
        for number in range(seq - count + 1, seq + 1):
            sent_at[number] = now
        events_record(events=batch, source="api")

    try:
        time.sleep(6)  # the worker starts
        # Warm up: a few events, until they arrive (connections, compiled templates).
        record(5)
        deadline = time.monotonic() + 60
        while len(fakes.received("twilio", accepted=True)) < 5 and time.monotonic() < deadline:
            time.sleep(0.2)
        fakes.reset()
        fakes.set_behaviour("twilio", callbacks={"enabled": False})
        sent_at.clear()
        warm = seq

        tick, per_tick = 0.1, max(1, round(args.rate * 0.1))
        load_start = time.monotonic()
        ticks = int(args.seconds / tick)
        for number in range(ticks):
            due = load_start + number * tick
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            record(per_tick)
        load_seconds = time.monotonic() - load_start
        recorded = seq - warm
        achieved = recorded / load_seconds
        load_avg = os.getloadavg()

        # Drain: wait until every event reached the fake (or two minutes pass).
        deadline = time.monotonic() + 120
        received: dict[int, float] = {}
        after = None
        while True:
            page = fakes.received("twilio", accepted=True, after=after, limit=5000)
            for entry in page:
                found = BODY.search(str(entry["request"].get("Body", "")))
                if found and found.group(1).isdigit() and int(found.group(1)) in sent_at:
                    received.setdefault(int(found.group(1)), entry["at"])
                after = entry["id"]
            if len(received) >= recorded or time.monotonic() > deadline:
                break
            if not page:
                time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(30)

    latencies = [received[number] - sent_at[number] for number in received]
    # Where the time went: recorded → matched (routing, fan-out) and matched → provider.
    matched = {
        int(number): at.timestamp()
        for number, at in TriggerMatch.objects.filter(campaign=campaign).values_list(
            "props__seq", "matched_at"
        )
        if int(number) in received
    }
    to_match = _percentiles([matched[n] - sent_at[n] for n in matched])
    to_send = _percentiles([received[n] - matched[n] for n in matched])
    p50, p95, p99 = _percentiles(latencies)
    b50, b95, b99 = _percentiles(baseline)
    outcomes = dict(
        TriggerMatch.objects.filter(campaign=campaign)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    print(
        f"Triggered campaign, {args.creators:,} creators, {achieved:,.0f} events/s recorded for "
        f"{load_seconds:.0f} s ({recorded:,} events), {args.workers} worker processes; "
        f"load average {load_avg[0]:.1f} / {load_avg[1]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"matches by outcome: {outcomes}; sent to the fake: {len(received):,}/{recorded:,}")
    print(f"{'':>28} {'p50':>9} {'p95':>9} {'p99':>9}")
    print(
        f"{'baseline: adapter round trip':>28} {b50 * 1000:>7.1f}ms {b95 * 1000:>7.1f}ms"
        f" {b99 * 1000:>7.1f}ms"
    )
    print(f"{'event → provider request':>28} {p50:>8.2f}s {p95:>8.2f}s {p99:>8.2f}s")
    print(
        f"{'of which recorded → matched':>28} {to_match[0]:>8.2f}s {to_match[1]:>8.2f}s {to_match[2]:>8.2f}s"
    )
    print(
        f"{'matched → provider request':>28} {to_send[0]:>8.2f}s {to_send[1]:>8.2f}s {to_send[2]:>8.2f}s"
    )
    print(f"p95 is {p95 / b95:,.0f}× the baseline's p95")
    ok = p95 < TARGET_P95_S and len(received) == recorded and achieved >= 0.95 * args.rate
    print(
        f"target: p95 < {TARGET_P95_S:.0f} s at {args.rate}/s for {args.seconds:.0f} s, every "
        "event sent: " + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
