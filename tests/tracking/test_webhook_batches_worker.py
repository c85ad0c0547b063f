"""20,000 signed SendGrid events: answered in well under 2 s, then applied by a real Celery
worker exactly once, even when the first worker is killed (kill -9) in the middle of it."""

import json
import time

import pytest
from django.db import connection

from campaigns.models import Delivery
from tests.support.worker import WorkerProcess, broker_flush, worker_env
from tests.tracking.conftest import sent_campaign
from tracking import tasks
from tracking.models import Event, Rollup, WebhookBatch

pytestmark = pytest.mark.worker

DELIVERIES, OPENS = 400, 48  # 400 × (processed + delivered + 48 opens) = 20,000 events


@pytest.fixture
def workers(transactional_db, tmp_path):
    broker_flush()
    started: list[WorkerProcess] = []

    def start(**env: str) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started)}.log"
        started.append(WorkerProcess(worker_env(**env), log, concurrency=1).start())
        return started[-1]

    yield start
    for worker in started:
        worker.stop()
    broker_flush()


def batch_of_20000(deliveries: list[Delivery]) -> list[dict]:
    events = []
    for delivery in deliveries:
        common = {"email": delivery.creator.email, "delivery_id": str(delivery.pk)}
        events.append(
            {
                **common,
                "event": "processed",
                "timestamp": 1700000000,
                "sg_event_id": f"p{delivery.pk}",
            }
        )
        events.append(
            {
                **common,
                "event": "delivered",
                "timestamp": 1700000030,
                "sg_event_id": f"d{delivery.pk}",
            }
        )
        for n in range(OPENS):  # one open a minute: each a distinct event
            events.append(
                {
                    **common,
                    "event": "open",
                    "timestamp": 1700000060 + 60 * n,
                    "sg_event_id": f"o{delivery.pk}-{n}",
                    "useragent": "Mozilla/5.0 (X11)",
                    "sg_machine_open": False,
                }
            )
    return events


def batch_locked_elsewhere() -> bool:
    """Another session holds the batch table's FOR UPDATE lock: a worker is applying it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass"
            " AND pid <> pg_backend_pid() AND mode = 'RowShareLock'",
            [WebhookBatch._meta.db_table],
        )
        return cursor.fetchone()[0] > 0


def wait(condition, timeout: float, message) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message()
        time.sleep(0.1)


def test_20000_events_are_acknowledged_fast_and_applied_once_despite_a_killed_worker(
    client, sendgrid_signer, tracking_settings, workers
):
    tracking_settings.TRACKING_WEBHOOK_QUEUE = True
    campaign = sent_campaign(DELIVERIES, channels=("email",))
    deliveries = list(Delivery.objects.filter(campaign=campaign).select_related("creator"))
    events = batch_of_20000(deliveries)
    assert len(events) == 20_000
    body = json.dumps(events).encode()
    headers = sendgrid_signer.headers(body)

    # A warm process, as a server's is: the first request of a fresh one imports the URLconf
    # (~4 s on this machine), which no batch should be measured by.
    assert client.get("/hooks/sendgrid/events").status_code == 405
    started = time.perf_counter()
    response = client.post(
        "/hooks/sendgrid/events", body, content_type="application/json", **headers
    )
    elapsed = time.perf_counter() - started
    print(f"\n20,000 signed events ({len(body):,} bytes) answered in {elapsed * 1000:.0f} ms")
    assert response.status_code == 204
    assert elapsed < 2.0
    batch = WebhookBatch.objects.get()
    assert batch.applied_at is None and batch.events == 20_000

    # The task is on the broker; the first worker takes it and is killed mid-batch.
    first = workers()
    wait(batch_locked_elsewhere, 60, lambda: first.log_path.read_text())
    time.sleep(1.0)
    first.kill_hard()
    batch.refresh_from_db()
    assert batch.applied_at is None, "the batch was applied before the kill"
    wait(
        lambda: not batch_locked_elsewhere(),
        30,
        lambda: "the killed worker's transaction is still open",
    )
    assert not Event.objects.exists()  # rolled back with the worker

    # A new worker; beat's sweep finds the batch and applies it.
    second = workers(TRACKING_WEBHOOK_SWEEP_MINUTES="0")
    applied_from = time.perf_counter()
    tasks.webhook_batches_sweep.delay()
    wait(
        lambda: WebhookBatch.objects.filter(applied_at__isnull=False).exists(),
        240,
        lambda: second.log_path.read_text()[-4000:],
    )
    print(f"applied by the worker in {time.perf_counter() - applied_from:.1f} s")
    batch.refresh_from_db()
    assert (batch.recorded, batch.unchanged, batch.ignored) == (20_000, 0, 0)
    assert Event.objects.count() == 20_000
    assert Event.objects.filter(kind="opened").count() == DELIVERIES * OPENS

    def totals():
        rows = Rollup.objects.filter(campaign=campaign)
        return (
            sum(r.delivered for r in rows),
            sum(r.opened for r in rows),
            sum(r.opens_total for r in rows),
        )

    assert totals() == (DELIVERIES, DELIVERIES, DELIVERIES * OPENS)

    # Exactly once: the task delivered again and another sweep change nothing.
    tasks.webhook_batch_apply.delay(batch.pk)
    tasks.webhook_batches_sweep.delay()
    marker = "webhook_batches_sweep"
    wait(
        lambda: second.log_path.read_text().count(marker) >= 4,  # received + succeeded, twice
        60,
        lambda: second.log_path.read_text()[-4000:],
    )
    assert Event.objects.count() == 20_000
    assert totals() == (DELIVERIES, DELIVERIES, DELIVERIES * OPENS)
