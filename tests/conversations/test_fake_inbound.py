"""The fake Twilio's inbound simulator: a number "replies" with text, a button or media; the
fake signs the webhook as Twilio does, with only parameters the contract documents, and the
app files it in the creator's thread within 2 seconds."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from conversations.models import Conversation, Message
from fakes.inbound import PARAMETERS

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "twilio_inbound_message.md"


def contract_parameters() -> set[str]:
    """The names in the first column of the contract's parameter tables."""
    text = CONTRACT.read_text()
    section = text[text.index("## Parameters") : text.index("## What the application must answer")]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            names.update(re.findall(r"`([A-Za-z{}]+)`", first))
    return names


def test_every_simulated_parameter_is_in_the_contract():
    documented = contract_parameters()
    assert {"MessageSid", "WaId", "ButtonPayload", "MediaUrl{N}"} <= documented
    assert PARAMETERS <= documented, PARAMETERS - documented


@pytest.fixture
def live_inbound(transactional_db, conversation_settings, live_server):
    conversation_settings.PUBLIC_BASE_URL = live_server.url
    return f"{live_server.url}/hooks/twilio/inbound"


def _wait_for_message(sid: str, timeout: float = 2.0) -> Message | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = Message.objects.filter(provider_sid=sid).first()
        if message is not None:
            return message
        time.sleep(0.05)
    return None


def test_text_reply_reaches_the_thread_within_2_seconds(fake_providers, live_inbound, creator):
    started = time.monotonic()
    sent = fake_providers.whatsapp_reply(
        "+5215512345678", body="¿Cómo me inscribo?", url=live_inbound
    )
    assert sent["status"] == 200, sent
    assert sent["content_type"].startswith("text/xml") and "<Response/>" in sent["body"]
    assert set(sent["params"]) <= {name for name in PARAMETERS if "{" not in name}
    message = _wait_for_message(sent["params"]["MessageSid"])
    assert message is not None and time.monotonic() - started < 2.0
    assert message.conversation.creator == creator
    assert message.body == "¿Cómo me inscribo?"


def test_button_media_and_quoted_replies(fake_providers, live_inbound, creator):
    button = fake_providers.whatsapp_reply(
        "+5215512345678",
        button_payload="accept_offer_123",
        button_text="Sí, acepto",
        original_replied_message_sid="SM" + "b" * 32,
        url=live_inbound,
    )
    media = fake_providers.whatsapp_reply(
        "+5215512345678",
        body="mi media kit",
        media=[{"url": "https://example.com/kit.pdf", "content_type": "application/pdf"}],
        url=live_inbound,
    )
    assert button["status"] == media["status"] == 200
    pressed = _wait_for_message(button["params"]["MessageSid"])
    assert pressed is not None
    assert (pressed.button_payload, pressed.button_text, pressed.body) == (
        "accept_offer_123",
        "Sí, acepto",
        "Sí, acepto",
    )
    assert pressed.replied_to_sid == "SM" + "b" * 32
    attached = _wait_for_message(media["params"]["MessageSid"])
    assert attached is not None
    assert attached.media == [
        {"url": "https://example.com/kit.pdf", "content_type": "application/pdf"}
    ]
    assert Conversation.objects.get().unread_count == 2


def test_simulator_with_another_token_is_refused(fake_providers, live_inbound, settings, creator):
    settings.TWILIO_AUTH_TOKEN = "not-the-fakes-token"
    sent = fake_providers.whatsapp_reply("+5215512345678", body="hola", url=live_inbound)
    assert sent["status"] == 403
    assert not Message.objects.exists()


def test_simulator_refuses_a_bad_number(fake_providers):
    from fakes.client import FakeProvidersError

    with pytest.raises(FakeProvidersError, match="400"):
        fake_providers.whatsapp_reply("not a number", body="hola", url="http://127.0.0.1:9/")


@pytest.mark.worker
def test_queued_message_is_filed_by_a_worker_within_2_seconds(dispatch_rig, settings):
    """Production's path: the request stores and answers, a real Celery worker files it."""
    from creators.models import Creator

    creator = Creator.objects.create(handle="ana_w", name="Ana", phone="+525512345678")
    settings.CONVERSATIONS_INBOUND_QUEUE = True
    dispatch_rig.worker_start(CONVERSATIONS_INBOUND_QUEUE="true")
    url = f"{settings.PUBLIC_BASE_URL}/hooks/twilio/inbound"
    dispatch_rig.fakes.whatsapp_reply("+5215512345678", body="calentando", url=url)
    assert _wait_for_message_sid_body("calentando", timeout=30) is not None  # worker warm
    started = time.monotonic()
    sent = dispatch_rig.fakes.whatsapp_reply("+5215512345678", body="¿sigue abierto?", url=url)
    assert sent["status"] == 200
    message = _wait_for_message(sent["params"]["MessageSid"], timeout=2.0)
    assert message is not None, dispatch_rig.worker_log()
    assert time.monotonic() - started < 2.0
    assert message.conversation.creator == creator
    creator.refresh_from_db()
    assert creator.whatsapp_window_open_until is not None


def _wait_for_message_sid_body(body: str, timeout: float) -> Message | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = Message.objects.filter(body=body).first()
        if message is not None:
            return message
        time.sleep(0.1)
    return None
