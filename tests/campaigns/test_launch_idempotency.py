"""Idempotency-Key on launch under concurrency: the same key always gets the first answer."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client

from accounts.services import api_token_create
from campaigns.idempotency import idempotent_call
from campaigns.models import Campaign, CampaignTransition, IdempotencyRecord
from tests.support.factories import campaign_make, creators_make
from tests.support.worker import broker_flush


@pytest.fixture
def token_client(transactional_db, django_user_model):
    user = django_user_model.objects.create_user(username="ops", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="manager"))
    token = api_token_create(user=user)
    broker_flush()
    yield lambda: Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    broker_flush()


def _concurrently(count: int, call) -> list:
    """Run `call` in `count` threads released together; each closes its database connection."""
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            answers[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def test_concurrent_launches_with_one_key_all_get_the_first_answer(token_client):
    creators_make(200, devices=False)
    campaign = campaign_make(channels=("inbox",))
    url = f"/api/campaigns/{campaign.pk}/launch"

    def launch():
        response = token_client().post(url, HTTP_IDEMPOTENCY_KEY="launch-once")
        return response.status_code, response.json()

    answers = _concurrently(3, launch)
    time.sleep(0.5)
    late = launch()

    first = (202, {"id": campaign.pk, "status": "sending"})
    assert answers == [first, first, first]
    assert late == first
    record = IdempotencyRecord.objects.get(key="launch-once")
    assert (record.status_code, record.body) == first
    campaign.refresh_from_db()
    assert (campaign.status, campaign.last_run) == ("sending", 1)
    assert CampaignTransition.objects.filter(campaign=campaign, to_status="sending").count() == 1


def test_a_refusal_is_the_first_answer_too(token_client):
    creators_make(3, devices=False)
    campaign = campaign_make(channels=("inbox",))
    client = token_client()
    assert client.post(f"/api/campaigns/{campaign.pk}/launch").status_code == 202
    first = client.post(f"/api/campaigns/{campaign.pk}/launch", HTTP_IDEMPOTENCY_KEY="k2")
    Campaign.objects.filter(pk=campaign.pk).update(status="draft")
    again = client.post(f"/api/campaigns/{campaign.pk}/launch", HTTP_IDEMPOTENCY_KEY="k2")
    assert first.status_code == again.status_code == 409
    assert first.json() == again.json()
    assert Campaign.objects.get(pk=campaign.pk).last_run == 1


def test_waiting_requests_run_nothing_and_answer_with_the_winners_result(
    transactional_db, django_user_model
):
    user = django_user_model.objects.create_user(username="ops", password="x")
    runs: list[int] = []

    def slow_action() -> tuple[int, dict]:
        runs.append(1)
        time.sleep(0.5)  # the others arrive while the first holds the key
        return 202, {"run": len(runs)}

    answers = _concurrently(
        4,
        lambda: idempotent_call(user=user, endpoint="launch:1", key="k", action=slow_action),
    )
    assert runs == [1]
    assert answers == [(202, {"run": 1})] * 4


def test_a_failed_first_attempt_lets_the_next_one_run(transactional_db, django_user_model):
    user = django_user_model.objects.create_user(username="ops", password="x")

    def broken() -> tuple[int, dict]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        idempotent_call(user=user, endpoint="e", key="k", action=broken)
    assert idempotent_call(user=user, endpoint="e", key="k", action=lambda: (503, {})) == (503, {})
    assert not IdempotencyRecord.objects.exists()
    assert idempotent_call(user=user, endpoint="e", key="k", action=lambda: (202, {"a": 1})) == (
        202,
        {"a": 1},
    )
    assert idempotent_call(user=user, endpoint="e", key="k", action=lambda: (400, {})) == (
        202,
        {"a": 1},
    )
