"""Ops actions on a thread: assign, close and reopen, tags, mark read; each audited (read
marks aside). A creator writing to a closed thread reopens it."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from conversations import services
from conversations.models import Conversation
from tests.conversations.conftest import inbound_params, inbound_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(client, conversation_settings, creator) -> Conversation:
    inbound_post(client, inbound_params(body="hola"))
    inbound_post(client, inbound_params(body="¿hola?"))
    return Conversation.objects.get()


def test_assign_close_reopen_tag_and_read(conversation, django_user_model):
    manager = django_user_model.objects.create_user(username="manager")
    lucia = django_user_model.objects.create_user(username="lucia")
    services.conversation_assign(conversation=conversation, actor=manager, assignee=lucia)
    services.conversation_tags_set(
        conversation=conversation, actor=manager, tags=[" Muestra ", "muestra", "Envío  tarde", ""]
    )
    services.conversation_close(conversation=conversation, actor=manager)
    conversation.refresh_from_db()
    assert conversation.assignee == lucia
    assert conversation.tags == ["muestra", "envío tarde"]
    assert conversation.status == "closed"
    services.conversation_reopen(conversation=conversation, actor=manager)
    services.conversation_mark_read(conversation=conversation, actor=manager)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.unread_count) == ("open", 0)
    assert list(
        AuditEntry.objects.filter(action__startswith="conversation.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "conversation.assign",
        "conversation.tag",
        "conversation.status",
        "conversation.status",
    ]


def test_creator_writing_reopens_a_closed_thread(client, conversation):
    services.conversation_close(conversation=conversation, actor=None)
    inbound_post(client, inbound_params(body="¿siguen ahí?"))
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert conversation.unread_count == 3


def test_unknown_status_is_refused(conversation):
    from conversations.exceptions import ReplyInvalid

    with pytest.raises(ReplyInvalid):
        services.conversation_status_set(conversation=conversation, actor=None, status="gone")
