"""With TRACKING_WEBHOOK_QUEUE the SendGrid endpoint stores the verified batch and answers;
the batch is applied once, by its task or, when that never ran, by the sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Delivery
from tests.tracking.test_sendgrid_events import sample_for, snapshot
from tracking import services, tasks
from tracking.models import Event, WebhookBatch


@pytest.fixture
def queued(tracking_settings):
    tracking_settings.TRACKING_WEBHOOK_QUEUE = True
    tracking_settings.TRACKING_WEBHOOK_SWEEP_MINUTES = 2
    return tracking_settings


@pytest.fixture
def emails(campaign) -> list[Delivery]:
    return list(
        Delivery.objects.filter(campaign=campaign, channel="email").select_related("creator")[:3]
    )


def age(batch: WebhookBatch, minutes: int) -> None:
    WebhookBatch.objects.filter(pk=batch.pk).update(
        received_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_batch_whose_task_never_ran_is_applied_by_the_sweep(
    client, emails, sendgrid_signer, queued
):
    # In this test's transaction on_commit never fires: the task is never sent, as if the
    # broker had lost it.
    assert sendgrid_signer.post(client, sample_for(emails)).status_code == 204
    batch = WebhookBatch.objects.get()
    assert (batch.applied_at, batch.events) == (None, 10)
    assert not Event.objects.exists()

    assert tasks.webhook_batches_sweep() == 0  # younger than the sweep's two minutes
    age(batch, 3)
    assert tasks.webhook_batches_sweep() == 1
    batch.refresh_from_db()
    assert batch.applied_at is not None
    assert (batch.recorded, batch.unchanged, batch.ignored) == (9, 1, 0)
    assert Event.objects.count() == 9
    applied = snapshot()

    # Applied exactly once: a late task, a second sweep, a replayed batch change nothing.
    assert services.webhook_batch_apply(batch_id=batch.pk) is None
    assert tasks.webhook_batches_sweep() == 0
    assert sendgrid_signer.post(client, sample_for(emails)).status_code == 204
    replay = WebhookBatch.objects.latest("id")
    age(replay, 3)
    assert tasks.webhook_batches_sweep() == 1
    replay.refresh_from_db()
    assert (replay.recorded, replay.unchanged) == (0, 10)
    assert snapshot() == applied

    # Applied batches are dropped after TRACKING_WEBHOOK_KEEP_DAYS.
    WebhookBatch.objects.filter(pk=batch.pk).update(applied_at=timezone.now() - timedelta(days=8))
    assert tasks.webhook_batches_sweep() == 0
    assert list(WebhookBatch.objects.values_list("pk", flat=True)) == [replay.pk]


def test_a_batch_that_cannot_be_applied_is_noted_and_does_not_stop_the_others(
    client, emails, sendgrid_signer, queued
):
    broken = WebhookBatch.objects.create(provider="sendgrid", body="[{", events=1)
    assert sendgrid_signer.post(client, sample_for(emails)).status_code == 204
    age(broken, 5)
    age(WebhookBatch.objects.latest("id"), 4)
    assert tasks.webhook_batches_sweep() == 1
    broken.refresh_from_db()
    assert broken.applied_at is None and "JSONDecodeError" in broken.error
    assert Event.objects.count() == 9


def test_without_the_queue_the_request_applies_its_batch(client, emails, sendgrid_signer):
    assert sendgrid_signer.post(client, sample_for(emails)).status_code == 204
    batch = WebhookBatch.objects.get()
    assert batch.applied_at is not None and batch.recorded == 9
