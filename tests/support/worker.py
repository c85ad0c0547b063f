"""A real Celery worker process for tests that put dispatch under test.

The worker runs the project's code in its own process against the pytest-django test
database (which such tests must use with `transactional_db`, so rows are committed) and
the test Redis as broker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import redis
from django.conf import settings
from django.db import connection

from fakes.client import FakeProviders

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int = 2) -> None:
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WorkerProcess:
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={self.concurrency}",
                "--without-mingle",
                "--without-gossip",
                "--pool=prefork",
                "-n",
                f"test-{os.getpid()}-{time.time_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"celery worker exited with {self.process.returncode}; see {self.log_path}"
                )
            if b" ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready after {timeout}s; see {self.log_path}")

    def kill_hard(self) -> None:
        """kill -9 the whole worker (main process and its pool children)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if getattr(self, "log", None):
            self.log.close()


def database_quiesce(timeout: float = 30) -> None:
    """Wait until no other session on the test database is running a statement or holding a
    transaction open. A webhook request the live server is still handling when pytest-django
    flushes the database (TRUNCATE) can deadlock the flush and leave rows for the next test."""
    deadline = time.monotonic() + timeout
    quiet_polls = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                " AND state <> 'idle'"
            )
            (busy,) = cursor.fetchone()
            # Quiet for a few polls in a row: a request accepted just before the fakes were
            # reset may still be on its way to a live-server thread.
            quiet_polls = 0 if busy else quiet_polls + 1
            if quiet_polls >= 4:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{busy} database sessions still busy after {timeout}s")
            time.sleep(0.05)


def stack_stop(workers: list[WorkerProcess], fakes: FakeProviders) -> None:
    """Stop the workers, empty the broker, drop the fakes' pending callbacks (including those
    on the wire) and wait for the webhooks already received to finish writing."""
    for worker in workers:
        worker.stop()
    broker_flush()
    fakes.reset()
    database_quiesce()


def broker_flush() -> None:
    """Empty the test broker so no task from an earlier test reaches this test's worker."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def worker_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DATABASE_URL=test_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REDIS_URL=settings.REDIS_URL,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(overrides)
    return env


@contextmanager
def broker_unreachable() -> Iterator[None]:
    """Point this process's Celery app at a broker nobody listens on (a closed port), as if
    Redis were down, then back. Publishing fails after kombu's short publish retries."""
    from config.celery import app

    def pools_reset() -> None:
        # Drop the pooled broker connections and producers, so the next publish connects anew.
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    # Publishing connects to broker_write_url (Celery fills it in from broker_url at setup).
    url = app.conf.broker_write_url
    pools_reset()
    app.conf.broker_write_url = "redis://127.0.0.1:9/0"
    try:
        yield
    finally:
        pools_reset()
        app.conf.broker_write_url = url
