"""The write-behind drain against the rate the tracking endpoints accept, sustained.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python -m bench.intake_drain [--seconds 600] [--drains 2] [--deliveries 50000]

(`INTAKE_DRAIN_SECONDS` sets --seconds' default: a short trial run.) Works in its own
database (`<DATABASE_URL's database>_bench_intake_drain`, made anew and dropped at the end)
and uses REDIS_URL's queue. In one run:

1. accept rate R: gunicorn with TRACKING_WRITE_BEHIND, driven by wrk through fresh pixel and
   click URLs (as bench/tracking_endpoints.py); R = the faster of the two endpoints;
2. baseline: the old drain's way, one `open_pixel_record` / `click_record` per hit;
3. sustained: hits are pushed into the queue at 2 × R for --seconds while --drains drain
   processes (`hits_drain` in a loop, as beat's `events_drain` tasks run on a worker) record
   them; every 10 s the backlog (queued + claimed) is sampled.

Target (issue 19): the drains record ≥ 2 × R sustained (hits recorded over the feeding
time ≥ 97% of hits pushed, the backlog never above 10 s of feed) and the backlog back to
zero within 30 s after the feed stops; then a backlog of 30 s of feed pushed at once is
cleared at ≥ 2 × R (the drains' capacity, printed as a ratio to R and to the baseline).
Exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import cast

from bench.scratch import scratch_django, scratch_name

STOP = "altavoz:bench:intake-drain:stop"
DRAINED = "altavoz:bench:intake-drain:drained"
READY = "altavoz:bench:intake-drain:ready"
HUMAN = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"


def drain_loop() -> int:
    """One drain process: `hits_drain` until told to stop; adds what it took to DRAINED."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from tracking import writebehind

    client = writebehind._client()
    writebehind.hits_drain(max_seconds=0.1)  # connect, load the code
    client.incr(READY)
    while not client.exists(STOP):
        taken = writebehind.hits_drain(max_seconds=2.0)
        if taken:
            client.incrby(DRAINED, taken)
        else:
            time.sleep(0.05)
    return 0


def accept_rate(pixels: list[str], clicks: list[str], seconds: int) -> tuple[float, float]:
    """Requests/s of the pixel and of the redirect under gunicorn with write-behind."""
    from bench.tracking_endpoints import LUA, free_port, wrk

    tmp = Path(tempfile.mkdtemp(prefix="altavoz-bench-"))
    scripts = {}
    for name, paths in (("pixel", pixels), ("click", clicks)):
        (tmp / f"{name}.txt").write_text("\n".join(paths) + "\n")
        (tmp / f"{name}.lua").write_text(LUA % (tmp / f"{name}.txt"))
        scripts[name] = tmp / f"{name}.lua"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.tracking_settings",
        "TRACKING_WRITE_BEHIND": "true",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "--access-logfile", "/dev/null"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/bare", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        wrk(f"{base}/bench/bare", None, 2, 32)
        pixel, _p99 = wrk(base, scripts["pixel"], seconds, 32)
        click, _p99 = wrk(base, scripts["click"], seconds, 32)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return pixel, click


def hits_make(delivery_ids: list[int], links: list[int], rng: random.Random, n: int) -> list[str]:
    """`n` queued hits as the endpoints queue them: 60% opens, 40% clicks on two links, 5%
    HEAD, a few scanner agents; the time is now, so most are new events."""
    now = time.time()
    hits = []
    for _ in range(n):
        delivery_id = rng.choice(delivery_ids)
        click = rng.random() < 0.4
        hits.append(
            json.dumps(
                [
                    "click" if click else "open",
                    delivery_id,
                    rng.choice(links) if click else None,
                    "HEAD" if rng.random() < 0.05 else "GET",
                    "Barracuda scanner" if rng.random() < 0.03 else HUMAN,
                    f"10.1.{delivery_id % 250}.{delivery_id % 7}",
                    now,
                ],
                separators=(",", ":"),
            )
        )
    return hits


def baseline_rate(delivery_ids: list[int], links: list[int], count: int) -> float:
    """The old drain: one service call (one transaction) per hit."""
    from tracking import services
    from tracking.writebehind import _hit_parse

    rng = random.Random(3)
    hits = [_hit_parse(item.encode()) for item in hits_make(delivery_ids, links, rng, count)]
    start = time.perf_counter()
    for hit in hits:
        assert hit is not None
        facts: services.HitFacts = {
            "delivery_id": hit.delivery_id,
            "method": hit.method,
            "user_agent": hit.user_agent,
            "ip": hit.ip,
        }
        if hit.kind == "open":
            services.open_pixel_record(**facts, occurred_at=hit.occurred_at)
        else:
            assert hit.link_id is not None
            services.click_record(**facts, link_id=hit.link_id, occurred_at=hit.occurred_at)
    return count / (time.perf_counter() - start)


def _events_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tracking_event")
        return int(cursor.fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_seconds = int(os.environ.get("INTAKE_DRAIN_SECONDS", "600"))
    parser.add_argument("--seconds", type=int, default=default_seconds)
    parser.add_argument("--drains", type=int, default=2)
    parser.add_argument("--deliveries", type=int, default=50_000)
    parser.add_argument("--endpoint-seconds", type=int, default=10)
    parser.add_argument("--drain-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drain_worker:
        return drain_loop()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")
    with scratch_django(scratch_name("_bench_intake_drain")):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from django.db import connection

    from bench.tracking_endpoints import prepare
    from tracking.links import tracked_link_id
    from tracking.writebehind import CLAIMS, QUEUE, _client, backlog_get

    client = _client()
    for key in cast("list[bytes]", client.zrange(CLAIMS, 0, -1)):
        client.delete(key)
    client.delete(QUEUE, CLAIMS, STOP, DRAINED, READY)
    pixels, clicks = prepare(args.deliveries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM campaigns_delivery ORDER BY id")
        delivery_ids = [row[0] for row in cursor.fetchall()]
    links = [tracked_link_id(f"https://shop.example/bench/{n}") for n in range(2)]
    connection.close()

    pixel, click = accept_rate(pixels, clicks, args.endpoint_seconds)
    client.delete(QUEUE)  # what wrk queued: not part of the sustained run
    accept = max(pixel, click)
    baseline = baseline_rate(delivery_ids, links, 3000)
    connection.close()
    feed = 2 * accept
    print(
        f"endpoints accept (gunicorn 4 workers, write-behind, wrk -c32 {args.endpoint_seconds}s): "
        f"pixel {pixel:.0f}/s, click {click:.0f}/s -> R = {accept:.0f} hits/s",
        flush=True,
    )
    print(f"baseline, old drain (one transaction per hit): {baseline:.0f} hits/s", flush=True)

    drains = [
        subprocess.Popen([sys.executable, "-m", "bench.intake_drain", "--drain-worker"])
        for _ in range(args.drains)
    ]
    while int(client.get(READY) or 0) < args.drains:
        time.sleep(0.2)
    events_before = _events_count()
    rng = random.Random(7)
    pushed, peak, samples = 0, 0, []
    start = time.monotonic()
    next_sample = start + 10
    try:
        while (now := time.monotonic()) < start + args.seconds:
            due = int(feed * (now - start)) - pushed
            if due > 0:
                for offset in range(0, due, 2000):
                    client.rpush(
                        QUEUE, *hits_make(delivery_ids, links, rng, min(2000, due - offset))
                    )
                pushed += due
            if now >= next_sample:
                backlog = backlog_get()
                waiting = backlog["queued"] + backlog["processing"]
                peak = max(peak, waiting)
                drained = int(client.get(DRAINED) or 0)
                samples.append((now - start, pushed, drained, waiting))
                print(
                    f"  t={now - start:5.0f}s pushed {pushed:9d} drained {drained:9d} "
                    f"backlog {waiting:7d} oldest {backlog['oldest_age_seconds']:.1f}s",
                    flush=True,
                )
                next_sample += 10
            time.sleep(0.05)
        drained_in_feed, fed = int(client.get(DRAINED) or 0), pushed
        stopped = time.monotonic()
        while time.monotonic() < stopped + 60:
            backlog = backlog_get()
            if backlog["queued"] + backlog["processing"] == 0:
                break
            time.sleep(0.2)
        cleared = time.monotonic() - stopped
        # Capacity: a backlog of 30 s of feed at once, and how fast the drains clear it.
        burst = int(30 * feed)
        for offset in range(0, burst, 2000):
            client.rpush(QUEUE, *hits_make(delivery_ids, links, rng, min(2000, burst - offset)))
        before, started = int(client.get(DRAINED) or 0), time.monotonic()
        while int(client.get(DRAINED) or 0) < before + burst and time.monotonic() < started + 300:
            time.sleep(0.05)
        capacity = (int(client.get(DRAINED) or 0) - before) / (time.monotonic() - started)
        pushed += burst
    finally:
        client.set(STOP, "1")
        for process in drains:
            process.wait(timeout=60)
    drained = int(client.get(DRAINED) or 0)
    elapsed = args.seconds
    rate = drained_in_feed / elapsed
    backlog = backlog_get()
    events = _events_count() - events_before
    print(
        f"sustained {elapsed}s, {args.drains} drain processes, fed at 2 x R = {feed:.0f} hits/s:\n"
        f"  pushed {pushed} (with the capacity backlog), recorded {drained} ({events} events stored, the rest same-minute "
        f"repeats); recorded during the feed {drained_in_feed} of {fed} "
        f"= {rate:.0f} hits/s "
        f"= {rate / accept:.2f} x R, {rate / baseline:.1f} x the old drain\n"
        f"  peak backlog {peak} hits ({peak / feed:.1f} s of feed); back to "
        f"{backlog['queued'] + backlog['processing']} {cleared:.1f} s after the feed stopped\n"
        f"capacity: a backlog of {burst} hits cleared at {capacity:.0f} hits/s "
        f"= {capacity / accept:.1f} x R, {capacity / baseline:.1f} x the old drain"
    )
    ok = (
        drained_in_feed >= 0.97 * fed
        and peak <= 10 * feed
        and backlog["queued"] + backlog["processing"] == 0
        and cleared <= 30
        and drained == pushed
        and capacity >= 2 * accept
    )
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
