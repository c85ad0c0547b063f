"""A stored webhook whose task was lost (broker down, worker killed) is filed by the sweep,
exactly once; one that fails is noted and retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import InboundWebhook, Message
from tests.conversations.conftest import inbound_params, inbound_post

pytestmark = pytest.mark.django_db


def test_queued_webhook_left_unfiled_is_filed_by_the_sweep(
    client, conversation_settings, creator, settings
):
    settings.CONVERSATIONS_INBOUND_QUEUE = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # the task never reaches a worker
    response = inbound_post(client, inbound_params(body="hola"))
    assert response.status_code == 200
    webhook = InboundWebhook.objects.get()
    assert webhook.processed_at is None and not Message.objects.exists()
    assert services.inbound_webhooks_sweep(older_than=timedelta(seconds=30)) == 0  # too young
    InboundWebhook.objects.update(received_at=timezone.now() - timedelta(minutes=1))
    assert services.inbound_webhooks_sweep(older_than=timedelta(seconds=30)) == 1
    assert services.inbound_webhooks_sweep(older_than=timedelta(seconds=30)) == 0
    assert Message.objects.get().body == "hola"
    assert services.inbound_webhook_process(webhook_id=webhook.pk) is None  # filed once


def test_old_filed_webhooks_are_dropped_messages_stay(client, conversation_settings, creator):
    inbound_post(client, inbound_params(body="hola"))
    InboundWebhook.objects.update(processed_at=timezone.now() - timedelta(days=30))
    services.inbound_webhooks_sweep(older_than=timedelta(seconds=30))
    assert not InboundWebhook.objects.exists()
    assert Message.objects.count() == 1
