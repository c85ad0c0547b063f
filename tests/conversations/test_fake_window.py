"""The fake Twilio keeps WhatsApp's 24-hour window when asked (`whatsapp_window`): free text
to a number that has not written in 24 hours is accepted, then fails with 63016, as
contracts/twilio_inbound_message.md describes; a template always goes. The app's reply
status comes back either way."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import Message
from tests.conversations.conftest import reply_template

TEMPLATE = "HX" + "cd" * 16


def _settled(message: Message, timeout: float = 10.0) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status in ("read", "failed", "undelivered"):
            return message
        time.sleep(0.1)
    return message


@pytest.mark.django_db(transaction=True)
def test_fake_enforces_the_window_and_the_reply_status_says_so(
    fake_providers, conversation_settings, live_server, creator
):
    conversation_settings.PUBLIC_BASE_URL = live_server.url
    fake_providers.set_behaviour(
        "twilio", whatsapp_window=True, callbacks={"enabled": True, "delay_ms": 30}
    )
    # Altavoz thinks the window is open; the creator never wrote, as far as Twilio knows.
    creator.whatsapp_window_open_until = timezone.now() + timedelta(hours=1)
    creator.save(update_fields=["whatsapp_window_open_until"])
    conversation = services.conversation_start(creator=creator)
    refused = services.conversation_reply(conversation=conversation, actor=None, body="hola")
    assert _settled(refused).status == "failed"
    assert refused.error_code == "63016"

    reply_template(TEMPLATE)
    template = services.conversation_reply(
        conversation=conversation, actor=None, content_sid=TEMPLATE, variables={"1": "Ana"}
    )
    assert _settled(template).status == "read"

    sent = fake_providers.whatsapp_reply(
        "+5215512345678", body="¡Hola!", url=f"{live_server.url}/hooks/twilio/inbound"
    )
    assert sent["status"] == 200
    inside = services.conversation_reply(conversation=conversation, actor=None, body="¡Hola, Ana!")
    assert _settled(inside).status == "read"
