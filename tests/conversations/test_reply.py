"""Ops reply through the WhatsApp adapter: free text only inside the creator's 24-hour
window, an approved template anytime; audited; the status comes back by a signed callback."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from conversations import services
from conversations.exceptions import (
    OptedOut,
    ReplyInvalid,
    ReplyTemplateInvalid,
    ReplyTemplateNotApproved,
    WindowClosed,
)
from conversations.models import Conversation, Message
from tests.conversations.conftest import inbound_params, inbound_post, reply_template, signature

TEMPLATE = "HX" + "0123456789abcdef" * 2


@pytest.fixture
def ops(django_user_model):
    return django_user_model.objects.create_user(username="ops-editor")


@pytest.fixture
def open_conversation(client, conversation_settings, creator) -> Conversation:
    inbound_post(client, inbound_params(body="¿Cómo me inscribo?"))
    return Conversation.objects.get()


def _sent(fakes, phone: str) -> list[dict]:
    return fakes.received("twilio", accepted=True, recipient=f"whatsapp:{phone}")


@pytest.mark.django_db
def test_free_text_inside_the_window_reaches_twilio(fake_providers, open_conversation, ops):
    message = services.conversation_reply(
        conversation=open_conversation, actor=ops, body="Entra a altavoz.mx/inscripcion"
    )
    (sent,) = _sent(fake_providers, "+525512345678")
    assert sent["request"]["Body"] == "Entra a altavoz.mx/inscripcion"
    assert sent["request"]["From"] == "whatsapp:+14155238886"
    callback = sent["request"]["StatusCallback"]
    assert callback == f"https://altavoz.example/hooks/twilio/conversation-status?m={message.pk}"
    assert message.status == "queued" and message.provider_sid == sent["provider_id"]
    assert message.sent_by == ops and message.direction == "out"
    open_conversation.refresh_from_db()
    assert open_conversation.status == "waiting"
    entry = AuditEntry.objects.get(action="conversation.reply")
    assert entry.detail == {"message": message.pk}


@pytest.mark.django_db
def test_free_text_outside_the_window_is_refused(fake_providers, open_conversation, ops):
    creator = open_conversation.creator
    creator.whatsapp_window_open_until = timezone.now() - timedelta(minutes=1)
    creator.save()
    with pytest.raises(WindowClosed):
        services.conversation_reply(conversation=open_conversation, actor=ops, body="¿Sigues ahí?")
    assert _sent(fake_providers, "+525512345678") == []
    assert not Message.objects.filter(direction="out").exists()
    assert not AuditEntry.objects.filter(action="conversation.reply").exists()


@pytest.mark.django_db
def test_template_goes_anytime(fake_providers, conversation_settings, creator, ops):
    reply_template(TEMPLATE)
    conversation = services.conversation_start(creator=creator)  # the creator never wrote
    message = services.conversation_reply(
        conversation=conversation, actor=ops, content_sid=TEMPLATE, variables={"1": "Ana"}
    )
    (sent,) = _sent(fake_providers, "+525512345678")
    assert sent["request"]["ContentSid"] == TEMPLATE
    assert json.loads(sent["request"]["ContentVariables"]) == {"1": "Ana"}
    assert "Body" not in sent["request"]
    assert message.content_sid == TEMPLATE and message.variables == {"1": "Ana"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_sid"), [("", ""), ("hola", TEMPLATE), ("", "HX123"), ("x" * 1601, "")]
)
def test_invalid_replies_are_refused(open_conversation, ops, body, content_sid):
    with pytest.raises(ReplyInvalid):
        services.conversation_reply(
            conversation=open_conversation, actor=ops, body=body, content_sid=content_sid
        )


@pytest.mark.django_db
def test_only_an_approved_catalogue_template_goes(
    fake_providers, conversation_settings, creator, ops
):
    """The wizard's line/cause errors: unknown SID, wrong variables (invalid), and a template
    WhatsApp has not approved (a conflict); nothing reaches Twilio."""
    conversation = services.conversation_start(creator=creator)
    with pytest.raises(ReplyTemplateInvalid) as unknown:
        services.conversation_reply(
            conversation=conversation, actor=ops, content_sid=TEMPLATE, variables={"1": "Ana"}
        )
    assert unknown.value.errors[0]["field"] == "content_sid"
    assert "no WhatsApp template" in unknown.value.errors[0]["cause"]
    reply_template(TEMPLATE, variables=("1", "2"))
    with pytest.raises(ReplyTemplateInvalid) as wrong:
        services.conversation_reply(
            conversation=conversation, actor=ops, content_sid=TEMPLATE, variables={"3": "x"}
        )
    assert [(e["field"], e["line"]) for e in wrong.value.errors] == [
        ("variables", 1),
        ("variables", 2),
        ("variables", 3),
    ]
    assert wrong.value.errors[0]["message"].startswith("Line 1: ")
    reply_template(TEMPLATE, variables=("1", "2"), status="pending")
    with pytest.raises(ReplyTemplateNotApproved) as pending:
        services.conversation_reply(
            conversation=conversation,
            actor=ops,
            content_sid=TEMPLATE,
            variables={"1": "a", "2": "b"},
        )
    assert "Pending" in pending.value.errors[0]["cause"]
    assert _sent(fake_providers, "+525512345678") == []
    assert not Message.objects.filter(direction="out").exists()


@pytest.mark.django_db
def test_nothing_goes_to_an_opted_out_creator(
    fake_providers, client, conversation_settings, creator, ops
):
    reply_template(TEMPLATE)
    inbound_post(client, inbound_params(body="BAJA"))
    with pytest.raises(OptedOut):
        services.conversation_reply(
            conversation=Conversation.objects.get(),
            actor=ops,
            content_sid=TEMPLATE,
            variables={"1": "Ana"},
        )
    assert len(_sent(fake_providers, "+525512345678")) == 1  # the confirmation only


@pytest.mark.django_db
def test_twilio_refusal_marks_the_reply_failed(fake_providers, open_conversation, ops):
    fake_providers.set_behaviour("twilio", recipient_errors={"whatsapp:+525512345678": 63016})
    message = services.conversation_reply(conversation=open_conversation, actor=ops, body="hola")
    assert (message.status, message.error_code) == ("failed", "63016")


def _status_post(client, message_id: int, params: dict[str, str], *, signed: bool = True):
    path = f"/hooks/twilio/conversation-status?m={message_id}"
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature(params, path)} if signed else {}
    return client.post(path, params, **headers)


@pytest.mark.django_db
def test_status_callbacks_move_the_reply_forward_only(
    client, fake_providers, open_conversation, ops
):
    message = services.conversation_reply(conversation=open_conversation, actor=ops, body="hola")
    base = {"MessageSid": message.provider_sid, "AccountSid": "AC1", "To": "whatsapp:+525512345678"}
    assert _status_post(client, message.pk, {**base, "MessageStatus": "read"}).status_code == 204
    assert _status_post(client, message.pk, {**base, "MessageStatus": "sent"}).status_code == 204
    message.refresh_from_db()
    assert message.status == "read"
    forged = _status_post(client, message.pk, {**base, "MessageStatus": "failed"}, signed=False)
    assert forged.status_code == 403
    message.refresh_from_db()
    assert message.status == "read"
    for junk in ("abc", "-1", "99999999999999999999999", ""):
        path = f"/hooks/twilio/conversation-status?m={junk}"
        params = {**base, "MessageStatus": "delivered"}
        response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature(params, path))
        assert response.status_code == 204


@pytest.mark.django_db(transaction=True)
def test_status_comes_back_from_the_fake(
    client, fake_providers, conversation_settings, live_server, creator, ops
):
    conversation_settings.PUBLIC_BASE_URL = live_server.url
    fake_providers.set_behaviour(
        "twilio",
        callbacks={
            "enabled": True,
            "statuses": ["queued", "sent", "delivered", "read"],
            "delay_ms": 50,
        },
    )
    inbound_post(client, inbound_params(body="hola"))
    message = services.conversation_reply(
        conversation=Conversation.objects.get(), actor=ops, body="¡Hola Ana!"
    )
    (sent,) = _sent(fake_providers, "+525512345678")
    assert parse_qs(urlsplit(sent["request"]["StatusCallback"]).query)["m"] == [str(message.pk)]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == "read":
            break
        time.sleep(0.1)
    assert message.status == "read", fake_providers.callbacks("twilio")
