"""The inbound webhook's one insert skips Django's per-request `SELECT 1` health check, and
still survives a connection the server has dropped: it reconnects and stores the message."""

from __future__ import annotations

import pytest
from django.db import connection

from conversations import services
from conversations.models import InboundWebhook
from tests.conversations.conftest import inbound_params
from tests.support.db import other_session

pytestmark = pytest.mark.django_db(transaction=True)


def _server_drops_this_connection() -> None:
    pid = connection.connection.info.backend_pid
    with other_session(autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_dropped_connection_is_replaced_and_the_message_stored(settings):
    connection.ensure_connection()
    _server_drops_this_connection()
    connection.health_check_done = False  # a new request on a reused connection

    webhook_id = services.inbound_webhook_store(params=inbound_params(MessageSid="SMdropped01"))

    assert webhook_id is not None
    assert InboundWebhook.objects.get(pk=webhook_id).message_sid == "SMdropped01"


def test_the_store_sends_no_health_check_first(monkeypatch):
    connection.ensure_connection()
    connection.health_check_enabled = True
    connection.health_check_done = False  # a new request on a reused connection
    checks: list[bool] = []
    original = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(True) or original())

    first = services.inbound_webhook_store(params=inbound_params(MessageSid="SMnocheck01"))
    retried = services.inbound_webhook_store(params=inbound_params(MessageSid="SMnocheck01"))

    assert first is not None and retried is None
    assert checks == []
