"""`make run`'s demo data has a few WhatsApp conversations, an unknown number and one opt-out
recorded through the consent service."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from conversations.canned_defaults import DEFAULT_CANNED_ANSWERS
from conversations.models import CannedAnswer, Conversation, Message
from creators.models import ConsentChange

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_conversations_and_one_opt_out():
    out = StringIO()
    call_command("seed_demo", creators=300, seed=1, stdout=out)
    assert "6 WhatsApp conversations" in out.getvalue()
    # Besides the creators answering the demo campaigns (tests/test_demo_data.py).
    threads = Conversation.objects.filter(messages__provider_sid__regex=r"^SMdemo(\d|unknown)")
    assert threads.distinct().count() == 6
    assert Conversation.objects.filter(creator__isnull=True).count() == 1
    opt_out = Message.objects.get(keyword="opt_out")
    creator = opt_out.conversation.creator
    assert creator.consent_whatsapp == "denied"
    assert ConsentChange.objects.filter(
        creator=creator, channel="whatsapp", source="whatsapp_keyword"
    ).exists()
    assert Message.objects.filter(direction="out").count() == 2  # an answer, a confirmation
    assert Message.objects.exclude(button_payload="").count() == 1
    assert all(c.last_message_at for c in Conversation.objects.all())
    conversations = Conversation.objects.count()
    assert CannedAnswer.objects.count() == len(DEFAULT_CANNED_ANSWERS)
    # Seeding again adds no second set.
    call_command("seed_demo", creators=10, seed=2, stdout=StringIO())
    assert Conversation.objects.count() == conversations
