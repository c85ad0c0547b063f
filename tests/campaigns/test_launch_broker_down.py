"""A launch while the broker is unreachable: answered, kept, and fanned out once it is back."""

from __future__ import annotations

import json
import os
import time
from queue import Empty

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from kombu import Connection

from accounts.services import api_token_create
from campaigns import runs, services, tasks
from campaigns.models import Campaign, IdempotencyRecord
from tests.support.factories import campaign_make, creators_make
from tests.support.worker import broker_flush, broker_unreachable


def _queued_tasks() -> list[str]:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return [json.loads(raw)["headers"]["task"] for raw in broker.lrange("celery", 0, -1)]


@pytest.fixture
def client_ops(transactional_db, django_user_model):
    user = django_user_model.objects.create_user(username="ops", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="manager"))
    broker_flush()
    yield Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
    broker_flush()


def test_launch_with_the_broker_down_is_fanned_out_when_it_is_back(client_ops, settings):
    creators_make(11, devices=False)
    campaign = campaign_make(channels=("inbox",))
    with broker_unreachable():
        response = client_ops.post(
            f"/api/campaigns/{campaign.pk}/launch", HTTP_IDEMPOTENCY_KEY="launch-1"
        )
        # The launch is committed and answered; its fan-out waits for the broker.
        assert response.status_code == 202, response.content
        campaign.refresh_from_db()
        assert (campaign.status, campaign.last_run, campaign.fanout_run) == ("sending", 1, 0)
        # The watchdog never calls a run without deliveries done while its fan-out is owed.
        tasks.dispatch_watchdog()
        campaign.refresh_from_db()
        assert campaign.status == "sending"
    assert _queued_tasks() == []
    record = IdempotencyRecord.objects.get(key="launch-1")
    assert (record.status_code, record.body) == (202, {"id": campaign.pk, "status": "sending"})

    # Broker back: the next watchdog queues the fan-out, once.
    tasks.dispatch_watchdog()
    tasks.dispatch_watchdog()
    assert _queued_tasks() == ["campaigns.tasks.campaign_fanout"]
    # The queued task (run here) creates the 11 deliveries and marks the run fanned out.
    assert tasks.campaign_fanout(campaign.pk, 1) == 11
    campaign.refresh_from_db()
    assert campaign.fanout_run == 1
    assert not runs.campaign_finish_if_done(campaign_id=campaign.pk)


def test_a_run_without_deliveries_finishes_only_after_its_fan_out(transactional_db):
    campaign = campaign_make(channels=("inbox",))  # nobody in the audience
    broker_flush()
    with broker_unreachable():
        services.campaign_launch(campaign=campaign)
    assert not runs.campaign_finish_if_done(campaign_id=campaign.pk)
    assert tasks.campaign_fanout(campaign.pk, 1) == 0
    broker_flush()
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
    assert Campaign.objects.get(pk=campaign.pk).status == "sent"


def test_filesystem_broker_outlives_its_folder_going_missing(tmp_path):
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
    }
    with Connection("filesystem://", transport_options=options) as connection:
        queue = connection.SimpleQueue("probe")
        moved = tmp_path / "queue-moved"
        os.rename(folders["queue"], moved)
        # What the worker's consumer does on every poll: an empty queue, not a crash.
        with pytest.raises(Empty):
            queue.get(block=False)
        with pytest.raises(Exception, match="Cannot add file"):
            queue.put({"n": 1})
        os.rename(moved, folders["queue"])
        queue.put({"n": 2})
        assert queue.get(timeout=1).payload == {"n": 2}
        queue.close()


@pytest.mark.worker
def test_worker_outlives_its_filesystem_broker_folder_going_missing(transactional_db, tmp_path):
    """The probe's fault: the filesystem broker's queue folder gone for 3 s. The worker's
    consumer used to die on it ("Unrecoverable error: FileNotFoundError"); now it keeps
    polling."""
    from tests.support.worker import WorkerProcess, worker_env

    broker = tmp_path / "broker"
    env = worker_env(CELERY_BROKER_URL="filesystem://localhost//", ALTAVOZ_VAR_DIR=str(tmp_path))
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    try:
        os.rename(broker / "queue", tmp_path / "queue-moved")
        time.sleep(3)
        assert worker.process.poll() is None, (tmp_path / "worker.log").read_text()
        os.rename(tmp_path / "queue-moved", broker / "queue")
        time.sleep(2)  # polling the folder again
        assert worker.process.poll() is None
        assert b"Unrecoverable error" not in (tmp_path / "worker.log").read_bytes()
    finally:
        worker.stop()
