"""Dispatch throughput of one worker process against the HTTP fakes, beside two baselines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/altavoz_test REDIS_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python -m bench.dispatch [--messages 20000] [--naive 600]

In one run, at 0 ms and at 100 ms of provider latency (the Twilio fake, WhatsApp channel):
- the fake's own ceiling: a bare aiohttp client with pre-encoded requests (fakes.ceiling);
- Altavoz: a launched campaign's deliveries sent by `campaign_dispatch` in a real Celery
  worker with one process (--concurrency 1), timed from enqueue to the last settled row;
- the SDK alone: the WhatsApp adapter sending pre-rendered messages in this process, no
  database (a reference, not a target: what the official SDK's request path costs);
- the naive baseline: one Celery task per message with a sync Twilio client (bench.naive),
  in the same worker.
Targets (issue 3): ≥ 60% of the ceiling at 0 ms, ≥ 2,000 messages/s at 100 ms, ≥ 10× naive.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.scratch import scratch_django
from bench.segment_count import _fill_sql

if TYPE_CHECKING:
    from fakes.client import FakeProviders

ROOT = Path(__file__).resolve().parents[1]


def _wait_settled(campaign_id: int, timeout: float) -> None:
    from campaigns.models import Delivery

    deadline = time.monotonic() + timeout
    open_states = ["pending", "claimed", "sending"]
    while Delivery.objects.filter(campaign_id=campaign_id, status__in=open_states).exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"campaign {campaign_id} not settled after {timeout}s")
        time.sleep(0.05)


def adapter_alone_measure(*, messages: int, latency_ms: float, fakes) -> float:
    """Messages/s of the WhatsApp adapter by itself in this process: the official Twilio SDK
    on its aiohttp client, pre-rendered messages, no database, chunks as dispatch sends them.

    Not a target: the floor under any dispatcher built on the SDK, printed so the share of
    the bare-client ceiling can be read against what the SDK alone reaches."""
    import asyncio

    import uvloop
    from django.conf import settings

    from channels.base import Outgoing
    from channels.whatsapp import WhatsAppAdapter
    from common.runtime import gc_tune

    gc_tune()  # as a worker process does at start
    fakes.reset()
    fakes.set_behaviour("twilio", latency_ms=latency_ms, callbacks={"enabled": False})
    items = [
        Outgoing(
            delivery_id=i,
            creator_id=i,
            campaign_id=1,
            locale="es-MX",
            content={"body": f"Hola creador {i}, tu nivel es 3: https://shop.example/m"},
            phone=f"+5255{i:08d}",
            status_callback_url=f"http://127.0.0.1:8000/webhooks/twilio/status/{i}?s=0123456789abcdef",
        )
        for i in range(messages)
    ]
    chunk = min(settings.DISPATCH_SEND_CHUNK, settings.CHANNEL_CONCURRENCY)

    async def send_all() -> float:
        adapter = WhatsAppAdapter()
        chunks_in_flight = asyncio.Semaphore(max(1, settings.CHANNEL_CONCURRENCY // chunk))

        async def send(part: list[Outgoing]) -> None:
            async with chunks_in_flight:
                await adapter.send_batch(part)

        await send(items[:chunk])  # connect
        started = time.perf_counter()
        await asyncio.gather(*(send(items[i : i + chunk]) for i in range(0, messages, chunk)))
        elapsed = time.perf_counter() - started
        await adapter.close()
        return messages / elapsed

    rate = uvloop.run(send_all())
    fakes.reset()
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--naive", type=int, default=600, help="messages for the naive baseline")
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 100.0])
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
        "DISPATCH_PARALLELISM": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
        # As in production: with DEBUG on, Django keeps and formats every query it runs.
        "DEBUG": "false",
    }
    try:
        with scratch_django("altavoz_bench_dispatch", environ=settings_env):
            return _bench_run(args, fakes, tmp, redis_url)
    finally:
        fakes.stop()


def _bench_run(args: argparse.Namespace, fakes: FakeProviders, tmp: Path, redis_url: str) -> int:
    """The runs, on the scratch database Django is set up on (the worker gets the same
    environment, this process's)."""
    import redis
    from django.db import connection

    from bench import naive
    from campaigns import fanout, services, tasks
    from campaigns.models import Campaign, Delivery
    from fakes.ceiling import ceiling_measure
    from segments.services import segment_create

    env = dict(os.environ)
    redis.Redis.from_url(redis_url).flushdb()
    creators = (args.messages + args.naive) * len(args.latencies)
    with connection.cursor() as cursor:
        cursor.execute(_fill_sql(creators))
        cursor.execute(
            "UPDATE creators_creator SET consent_whatsapp = 'granted', "
            "whatsapp_window_open_until = now() + interval '1 day', "
            "phone = '+5255' || lpad(id::text, 8, '0')"
        )
        cursor.execute("VACUUM ANALYZE creators_creator")

    log = open(tmp / "worker.log", "wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--pool=prefork",
            "--include=bench.naive",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-n",
            "bench@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    time.sleep(5)

    def campaign_for(first_id: int, count: int, name: str) -> Campaign:
        segment = segment_create(
            name=name, rules={"all": [{"field": "level", "op": "gte", "value": 0}]}
        )
        campaign = services.campaign_create(
            owner=None,
            name=name,
            kind=Campaign.Kind.ANNOUNCEMENT,
            segment=segment,
            messages=[
                {
                    "channel": "whatsapp",
                    "locale": locale,
                    "body": "Hola {{ creator.first_name }}, tu nivel es {{ creator.level }}: https://shop.example/m",
                }
                for locale in ("es-MX", "en")
            ],
        )
        # Launch by hand (the service would start dispatch at once): the timing starts later.
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING, last_run=1)
        campaign.refresh_from_db()
        fanout.deliveries_create(campaign=campaign, run=1)
        # Keep exactly `count` deliveries: the creators of this slice.
        Delivery.objects.filter(campaign=campaign).exclude(
            creator_id__gte=first_id, creator_id__lt=first_id + count
        ).delete()
        return campaign

    results = []
    first_id = 1
    try:
        for latency in args.latencies:
            ceiling = ceiling_measure(
                fakes,
                "twilio",
                latency_ms=latency,
                requests=args.messages,
                concurrency=64 if latency == 0 else 500,
            )["requests_per_s"]
            alone = adapter_alone_measure(messages=args.messages, latency_ms=latency, fakes=fakes)
            fakes.reset()
            fakes.set_behaviour("twilio", latency_ms=latency, callbacks={"enabled": False})

            campaign = campaign_for(first_id, args.messages, f"bench {latency} ms")
            first_id += args.messages
            started = time.perf_counter()
            tasks.campaign_dispatch.delay(campaign.pk)
            _wait_settled(campaign.pk, timeout=600)
            altavoz = args.messages / (time.perf_counter() - started)
            sent = Delivery.objects.filter(campaign=campaign, status="sent").count()

            naive_count = args.naive if latency == 0 else max(100, args.naive // 3)
            naive_campaign = campaign_for(first_id, naive_count, f"naive {latency} ms")
            first_id += args.naive
            Campaign.objects.filter(pk=naive_campaign.pk).update(status=Campaign.Status.PAUSED)
            ids = list(
                Delivery.objects.filter(campaign=naive_campaign).values_list("id", flat=True)
            )
            started = time.perf_counter()
            for delivery_id in ids:
                naive.naive_send.delay(delivery_id)
            deadline = time.monotonic() + 900
            while Delivery.objects.filter(campaign=naive_campaign, status="pending").exists():
                assert time.monotonic() < deadline, "naive baseline did not finish"
                time.sleep(0.05)
            baseline = len(ids) / (time.perf_counter() - started)
            results.append((latency, ceiling, alone, altavoz, baseline, sent, args.messages))
    finally:
        worker.terminate()
        worker.wait(30)

    print(
        f"WhatsApp dispatch, one worker process (--concurrency 1), {args.messages:,} messages per run"
    )
    print(
        f"{'latency':>8} {'ceiling/s':>10} {'SDK alone/s':>12} {'altavoz/s':>10} {'of ceiling':>11}"
        f" {'of SDK alone':>13} {'naive/s':>8} {'vs naive':>9}"
    )
    ok = True
    for latency, ceiling, alone, altavoz, baseline, sent, expected in results:
        share, speedup = altavoz / ceiling, altavoz / baseline
        print(
            f"{latency:>6.0f}ms {ceiling:>10,.0f} {alone:>12,.0f} {altavoz:>10,.0f} {share:>10.0%}"
            f" {altavoz / alone:>12.0%} {baseline:>8,.1f} {speedup:>8.1f}x"
        )
        ok &= sent == expected and speedup >= 10
        ok &= share >= 0.6 if latency == 0 else altavoz >= 2000
    print(
        "SDK alone: the WhatsApp adapter in this process with pre-rendered messages and no "
        "database, the floor under any dispatcher on the official SDK."
    )
    print(
        "targets: ≥ 60% of the ceiling at 0 ms, ≥ 2,000/s at 100 ms, ≥ 10x naive: "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
