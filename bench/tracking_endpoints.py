"""Open-pixel and click-redirect throughput under gunicorn, beside a bare view on the same server.

    DATABASE_URL=postgres://…/altavoz_bench REDIS_URL=redis://…/9 \
        .venv/bin/python -m bench.tracking_endpoints [--duration 10] [--connections 32] [--workers 4]

Creates a campaign of N accepted email deliveries, writes one pixel URL and one click URL per
delivery, starts gunicorn (sync workers) on loopback, and drives it with wrk (Debian package
`wrk`) for a bounded time per endpoint, rotating through the URLs so every request is a fresh
event (INSERT … ON CONFLICT DO NOTHING + the rollup upsert). Prints requests/s, p99 latency
and the ratio to `/bench/bare` (same server, same run; target ≥ 50%).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from campaigns.models import Campaign  # noqa: E402
from tracking.links import tracked_link_id  # noqa: E402
from tracking.tokens import click_token_make, open_token_make  # noqa: E402

NAME = "bench: tracking endpoints"
LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i], {["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"})
end
"""


def prepare(deliveries: int) -> tuple[list[str], list[str]]:
    Campaign.objects.filter(name=NAME).delete()
    campaign = Campaign.objects.create(
        name=NAME, kind="mission", status="sent", last_run=1, channels=["email"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO creators_creator (handle, name, email, phone, locale, timezone, state,
                market, level, followers, gmv_30d, category, content_type, tags, consent_email,
                consent_whatsapp, consent_push, consent_inbox, created_at, updated_at)
            SELECT 'bench_ep_' || g, 'C', 'e' || g || '@example.com', '', 'es-MX', 'UTC', '',
                'MX', 0, 0, 0, '', 'video', '[]', 'granted', 'granted', 'granted', 'granted',
                now(), now()
            FROM generate_series(1, %s) g ON CONFLICT (handle) DO NOTHING
            """,
            [deliveries],
        )
        cursor.execute(
            """
            INSERT INTO campaigns_delivery (campaign_id, run, channel, creator_id, locale, status,
                attempts, provider_message_id, error_code, error_message, created_at, sent_at,
                updated_at)
            SELECT %s, 1, 'email', id, 'es-MX', 'sent', 1, 'pm', '', '', now(),
                now() - interval '1 hour', now()
            FROM creators_creator WHERE handle LIKE 'bench_ep_%%' RETURNING id
            """,
            [campaign.pk],
        )
        ids = [row[0] for row in cursor.fetchall()]
    link = tracked_link_id("https://shop.example/bench?utm_source=altavoz")
    pixels = [f"/t/o/{open_token_make(delivery_id=i)}.gif" for i in ids]
    clicks = [f"/t/c/{click_token_make(delivery_id=i, link_id=link)}" for i in ids]
    return pixels, clicks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wrk_figure(pattern: str, out: str) -> str:
    match = re.search(pattern, out)
    if match is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{out}")
    return match.group(1)


def wrk(
    url: str,
    script: Path | None,
    duration: int,
    connections: int,
    script_args: Sequence[str] = (),
) -> tuple[float, str]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", str(script)]
    cmd += [url, *(["--", *script_args] if script_args else [])]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30).stdout
    rps = float(_wrk_figure(r"Requests/sec:\s+([\d.]+)", out))
    p99 = _wrk_figure(r"99%\s+([\d.]+\w+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  !! {errors.group(1)} non-2xx/3xx responses")
    return rps, p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")
    pixels, clicks = prepare(args.deliveries)
    connection.close()
    tmp = Path(tempfile.mkdtemp(prefix="altavoz-bench-"))
    scripts = {}
    for name, paths in (("pixel", pixels), ("click", clicks)):
        (tmp / f"{name}.txt").write_text("\n".join(paths) + "\n")
        (tmp / f"{name}.lua").write_text(LUA % (tmp / f"{name}.txt"))
        scripts[name] = tmp / f"{name}.lua"
    results: dict[str, dict[str, tuple[float, str]]] = {}
    drain: tuple[int, int, float]  # set by the write-behind run
    for mode in ("synchronous", "write-behind"):
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.tracking_settings",
            "TRACKING_WRITE_BEHIND": "true" if mode == "write-behind" else "false",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--access-logfile",
                "/dev/null",
            ],
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
            wrk(f"{base}/bench/bare", None, 2, args.connections)  # warm every worker
            results[mode] = {
                "bare": wrk(f"{base}/bench/bare", None, args.duration, args.connections),
                "pixel": wrk(base, scripts["pixel"], args.duration, args.connections),
                "click": wrk(base, scripts["click"], args.duration, args.connections),
            }
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if mode == "write-behind":
            from tracking.writebehind import QUEUE, _client, hits_drain

            queued = _client().llen(QUEUE)
            start = time.perf_counter()
            drained = hits_drain(max_seconds=600)
            elapsed = time.perf_counter() - start
            drain = (queued, drained, elapsed)
    print(
        f"gunicorn {args.workers} sync workers, wrk -t2 -c{args.connections} -d{args.duration}s, loopback"
    )
    for mode in ("synchronous", "write-behind"):
        r = results[mode]
        bare, bare_p99 = r["bare"]
        print(f"[{mode}]")
        print(f"  bare view (no database):  {bare:8.0f} req/s  p99 {bare_p99}")
        for name, label in (("pixel", "open pixel  /t/o/…gif"), ("click", "click       /t/c/…   ")):
            rps, p99 = r[name]
            print(f"  {label}:  {rps:8.0f} req/s  p99 {p99}  ratio {rps / bare:.0%}")
    queued, drained, elapsed = drain
    print(
        f"write-behind drain (one process): {drained} queued hits recorded in {elapsed:.1f} s "
        f"= {drained / elapsed if elapsed else 0:.0f} events/s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.kind, e.automated, COUNT(*) FROM tracking_event e JOIN campaigns_campaign c "
            "ON c.id = e.campaign_id WHERE c.name = %s GROUP BY 1, 2",
            [NAME],
        )
        print("events written (kind, automated, n):", cursor.fetchall())


if __name__ == "__main__":
    main()
