"""The write-behind queue under several drains and crashes: a claimed chunk is recorded
once, whether its drain finishes, dies before recording, or dies after committing."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from campaigns.models import Delivery
from tests.tracking.conftest import sent_campaign
from tracking import intake, writebehind
from tracking.models import DrainedChunk, Event, Rollup

HUMAN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0"


@pytest.fixture
def queue(tracking_settings):
    tracking_settings.TRACKING_WRITE_BEHIND = True
    client = writebehind._client()

    def clear() -> None:
        for key in client.zrange(writebehind.CLAIMS, 0, -1):
            client.delete(key)
        client.delete(writebehind.QUEUE, writebehind.CLAIMS)

    clear()
    yield client
    clear()


def opens_enqueue(deliveries: list[int], per_delivery: int) -> int:
    """Human opens a minute apart (each its own event)."""
    start = time.time() - 3600
    client = writebehind._client()
    n = 0
    for minute in range(per_delivery):
        for delivery_id in deliveries:
            client.rpush(
                writebehind.QUEUE,
                f'["open",{delivery_id},null,"GET","{HUMAN}","10.0.0.1",{start + 60 * minute}]',
            )
            n += 1
    return n


def chunk_claim(client, size: int) -> tuple[str, list[bytes]]:
    """What a drain does before recording: move a chunk to its own processing list."""
    claim = f"{writebehind.PROCESSING}test-{time.monotonic_ns()}"
    raw = client.eval(
        writebehind._CLAIM, 3, writebehind.QUEUE, claim, writebehind.CLAIMS, size, time.time()
    )
    return claim, raw


def test_a_chunk_whose_drain_died_before_recording_is_recorded_by_the_next(
    db, campaign, queue, tracking_settings
):
    ids = list(Delivery.objects.filter(campaign=campaign).values_list("pk", flat=True)[:5])
    opens_enqueue(ids, 2)
    claim_chunk = chunk_claim(queue, 4)  # the drain died here
    assert len(claim_chunk[1]) == 4
    assert writebehind.backlog_get()["processing"] == 4
    tracking_settings.TRACKING_DRAIN_CLAIM_SECONDS = 30
    assert writebehind.hits_drain() == 6  # the claim is not stale yet
    assert Event.objects.count() == 6
    tracking_settings.TRACKING_DRAIN_CLAIM_SECONDS = 0
    assert writebehind.hits_drain() == 4
    assert Event.objects.count() == 10
    assert writebehind.backlog_get() == {
        "queued": 0,
        "processing": 0,
        "claims": 0,
        "oldest_age_seconds": 0.0,
    }


def test_a_chunk_whose_drain_died_after_committing_is_not_recorded_again(
    db, campaign, queue, tracking_settings
):
    ids = list(Delivery.objects.filter(campaign=campaign).values_list("pk", flat=True)[:3])
    opens_enqueue(ids, 1)
    claim, raw = chunk_claim(queue, 3)
    hits = [writebehind._hit_parse(item) for item in raw]
    stored = intake.hits_record(hits=[h for h in hits if h is not None], claim=claim)
    assert stored is not None and len(stored) == 3  # committed; the drain died before releasing
    tracking_settings.TRACKING_DRAIN_CLAIM_SECONDS = 0
    assert writebehind.hits_drain() == 3  # taken over and released
    assert Event.objects.count() == 3
    assert DrainedChunk.objects.filter(claim=claim).exists()
    assert writebehind.backlog_get()["claims"] == 0


def test_the_backlog_shows_size_and_age(db, campaign, queue):
    ids = list(Delivery.objects.filter(campaign=campaign).values_list("pk", flat=True)[:2])
    opens_enqueue(ids, 3)
    backlog = writebehind.backlog_get()
    assert backlog["queued"] == 6 and backlog["processing"] == 0
    assert 3590 < backlog["oldest_age_seconds"] < 3700


@pytest.mark.django_db(transaction=True)
def test_parallel_drains_record_every_hit_once(queue, tracking_settings):
    campaign = sent_campaign(count=40, channels=("email",))
    ids = list(Delivery.objects.filter(campaign=campaign).values_list("pk", flat=True))
    total = opens_enqueue(ids, 25)
    taken: list[int] = []
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            taken.append(writebehind.hits_drain(batch=37, max_seconds=60))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(taken) == total == 1000
    assert Event.objects.filter(campaign=campaign).count() == total
    opens = sum(r.opens_total for r in Rollup.objects.filter(campaign=campaign))
    assert opens == total
    assert sum(r.opened for r in Rollup.objects.filter(campaign=campaign)) == len(ids)
    assert writebehind.backlog_get()["queued"] == 0
