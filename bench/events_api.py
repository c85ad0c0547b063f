"""`POST /api/events` in batches of 1,000 under gunicorn, beside a bare COPY of the same rows.

    DATABASE_URL=postgres://…/altavoz REDIS_URL=redis://…/9 \\
        .venv/bin/python -m bench.events_api [--batches 60] [--clients 4] [--workers 4]

Works in its own database (`<name of DATABASE_URL's database>_bench_events_api`, made anew
and migrated, dropped at the end unless --keep; bench/scratch.py). Makes 10,000 creators and
a manager's API token, writes `--batches` JSON bodies of 1,000 events each (a random creator
by handle, a name, small props, occurred_at, a unique idempotency key), starts gunicorn (sync
workers) on loopback and posts every body from `--clients` keep-alive connections at once.
Then the baseline: the same number of rows written with a bare `COPY` into the same table,
1,000 rows a statement, from one connection. Prints both rates and the ratio; exits 1 unless
the API accepts at least 5,000 events/s (issue 19) and every event was accepted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

from bench.gunicorn import gunicorn_serving
from bench.scratch import scratch_django, scratch_name

TARGET = 5000.0
BATCH = 1000
CREATORS = 10_000
NAMES = ("sale_made", "video_posted", "sample_delivered", "live_started")


def _prepare() -> str:
    from django.db import connection

    from accounts.roles import Role
    from accounts.services import api_token_create
    from tests.support.factories import user_make

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO creators_creator (handle, name, email, phone, locale, timezone, state,
                market, level, followers, gmv_30d, category, content_type, tags, consent_email,
                consent_whatsapp, consent_push, consent_inbox, created_at, updated_at)
            SELECT 'bench_ev_' || g, 'C', '', '', 'es-MX', 'UTC', '', 'MX', 0, 0, 0, '',
                'video', '[]', 'granted', 'granted', 'granted', 'granted', now(), now()
            FROM generate_series(1, %s) g
            """,
            [CREATORS],
        )
    return api_token_create(user=user_make("bench-events", role=Role.MANAGER, email=""))


def _bodies(batches: int) -> tuple[list[bytes], list[list[tuple]]]:
    """The request bodies, and the same events as rows for the COPY baseline."""
    rng = random.Random(19)
    now = datetime.now(UTC)
    bodies, rows = [], []
    for batch in range(batches):
        events, batch_rows = [], []
        for index in range(BATCH):
            creator = rng.randint(1, CREATORS)
            props = {"amount": rng.randint(1, 5000), "sku": f"SKU-{rng.randint(1, 999)}"}
            occurred_at = now - timedelta(seconds=rng.randint(0, 86_400))
            key = f"bench-{batch}-{index}"
            name = NAMES[index % len(NAMES)]
            events.append(
                {
                    "creator": f"bench_ev_{creator}",
                    "name": name,
                    "props": props,
                    "occurred_at": occurred_at.isoformat(),
                    "idempotency_key": key,
                }
            )
            batch_rows.append((creator, name, json.dumps(props), occurred_at, key))
        bodies.append(json.dumps(events).encode())
        rows.append(batch_rows)
    return bodies, rows


def _post_all(
    port: int, token: str, bodies: list[bytes], clients: int
) -> tuple[float, int, list[str]]:
    """Post every body, `clients` connections at once; (seconds, events accepted, errors)."""
    pending = list(reversed(bodies))
    lock = threading.Lock()
    accepted = [0]
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                if not pending:
                    break
                body = pending.pop()
            conn.request("POST", "/api/events", body, headers)
            response = conn.getresponse()
            answer = response.read()
            with lock:
                if response.status != 202:
                    errors.append(f"{response.status}: {answer[:200]!r}")
                else:
                    accepted[0] += json.loads(answer)["accepted"]
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, accepted[0], errors


def _copy_baseline(rows: list[list[tuple]]) -> float:
    """Seconds to COPY the same rows into the same table, 1,000 a statement, one connection."""
    from django.db import connection, transaction

    now = datetime.now(UTC)
    start = time.perf_counter()
    for batch in rows:
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.copy(
                "COPY events_event (creator_id, name, props, occurred_at, received_at, source,"
                " idempotency_key) FROM STDIN"
            ) as copy:
                for creator, name, props, occurred_at, key in batch:
                    copy.write_row((creator, name, props, occurred_at, now, "api", "c" + key))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with scratch_django(scratch_name("_bench_events_api"), keep=args.keep) as url:
        from django.db import connection

        token = _prepare()
        bodies, rows = _bodies(args.batches)
        connection.close()
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
        with gunicorn_serving(workers=args.workers, env=env) as port:
            # Warm every worker (imports, first queries) with empty batches.
            _post_all(port, token, [b"[]"] * args.workers * 2, args.workers)
            seconds, accepted, errors = _post_all(port, token, bodies, args.clients)
        copy_seconds = _copy_baseline(rows)
        connection.close()

    total = args.batches * BATCH
    api_rate = accepted / seconds
    copy_rate = total / copy_seconds
    load = os.getloadavg()[0]
    print(
        f"gunicorn {args.workers} sync workers, {args.clients} clients, {args.batches} batches "
        f"of {BATCH:,} events, loopback; load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  POST /api/events:  {accepted:,} accepted in {seconds:.2f} s = {api_rate:8.0f} events/s"
    )
    print(f"  bare COPY (same rows, same table, 1,000 a statement): {copy_rate:8.0f} rows/s")
    print(f"  ratio API / COPY: {api_rate / copy_rate:.0%}   target: ≥ {TARGET:,.0f} events/s")
    for error in errors[:5]:
        print(f"  !! {error}")
    ok = api_rate >= TARGET and accepted == total and not errors
    print("met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
