"""A message is matched to its creator by number; WhatsApp's `+521…` Mexican mobiles match
creators stored as `+52…`; other numbers get an unknown thread that ops can link."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from conversations import services
from conversations.models import Conversation, Message
from conversations.phones import whatsapp_address_phone
from creators.models import Creator
from tests.conversations.conftest import inbound_params, inbound_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("wa_id", "address"),
    [
        ("5215512345678", "whatsapp:+5215512345678"),
        ("525512345678", "whatsapp:+525512345678"),
        ("", "whatsapp:+5215512345678"),
        ("", "whatsapp:+525512345678"),
    ],
)
def test_mexican_mobile_forms_match_the_stored_phone(wa_id, address):
    assert whatsapp_address_phone(wa_id=wa_id, address=address) == "+525512345678"


def test_521_number_matches_creator_stored_as_52(client, conversation_settings, creator):
    inbound_post(client, inbound_params(wa_id="5215512345678"))
    inbound_post(client, inbound_params(wa_id="525512345678"))
    conversation = Conversation.objects.get()
    assert conversation.creator == creator
    assert conversation.messages.count() == 2


def test_creator_stored_with_521_matches_too(client, conversation_settings):
    old = Creator.objects.create(handle="old_form", name="Old", phone="+5215511112222")
    inbound_post(client, inbound_params(wa_id="525511112222"))
    assert Conversation.objects.get().creator == old


def test_unknown_number_gets_an_unknown_thread(client, conversation_settings, creator):
    inbound_post(client, inbound_params(wa_id="14155550100", body="hi, who is this?"))
    inbound_post(client, inbound_params(wa_id="14155550100", body="hello?"))
    conversation = Conversation.objects.get()
    assert conversation.creator is None
    assert conversation.phone == "+14155550100"
    assert conversation.unread_count == 2
    creator.refresh_from_db()
    assert creator.whatsapp_window_open_until is None


def test_linking_an_unknown_thread_gives_it_to_the_creator(
    client, conversation_settings, django_user_model
):
    lone = Creator.objects.create(handle="sin_telefono", name="Sin teléfono")
    inbound_post(client, inbound_params(wa_id="14155550100", body="soy sin_telefono"))
    unknown = Conversation.objects.get()
    ops = django_user_model.objects.create_user(username="ops")
    linked = services.conversation_link(conversation=unknown, actor=ops, creator=lone)
    assert linked.pk == unknown.pk and linked.creator == lone
    lone.refresh_from_db()
    assert lone.phone == "+14155550100"
    assert lone.whatsapp_window_open_until is not None
    assert AuditEntry.objects.filter(action="conversation.link").count() == 1
    # The number's next message now lands in the creator's thread.
    inbound_post(client, inbound_params(wa_id="14155550100", body="¿me oyes?"))
    assert Conversation.objects.get().messages.count() == 2


def test_linking_merges_into_the_creators_existing_thread(
    client, conversation_settings, creator, django_user_model
):
    inbound_post(client, inbound_params(body="desde mi número"))
    inbound_post(client, inbound_params(wa_id="14155550100", body="desde otro número"))
    unknown = Conversation.objects.get(creator__isnull=True)
    target = services.conversation_link(conversation=unknown, actor=None, creator=creator)
    assert Conversation.objects.count() == 1
    assert target.creator == creator
    assert target.unread_count == 2
    assert sorted(Message.objects.values_list("body", flat=True)) == [
        "desde mi número",
        "desde otro número",
    ]


def test_linking_a_creators_thread_is_refused(client, conversation_settings, creator):
    from conversations.exceptions import ConversationLinkRefused

    inbound_post(client, inbound_params())
    other = Creator.objects.create(handle="otra", name="Otra")
    with pytest.raises(ConversationLinkRefused):
        services.conversation_link(
            conversation=Conversation.objects.get(), actor=None, creator=other
        )


def test_phone_lookup_uses_the_creator_phone_index():
    """Matching a number reads the phone index, not every creator (20,000 here, analysed)."""
    from django.db import connection

    from conversations.phones import phone_candidates
    from conversations.selectors import creator_for_phone

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO creators_creator (handle, name, email, phone, locale, timezone, state,
                market, level, followers, gmv_30d, category, content_type, tags, consent_email,
                consent_whatsapp, consent_push, consent_inbox, created_at, updated_at)
            SELECT 'plan_' || g, 'C', '', '+52155' || lpad(g::text, 8, '0'), 'es-MX', 'UTC',
                '', 'MX', 0, 0, 0, '', 'video', '[]', 'granted', 'granted', 'granted',
                'granted', now(), now()
            FROM generate_series(1, 20000) g
            """
        )
        cursor.execute("ANALYZE creators_creator")
    # creator_for_phone's query
    candidates = phone_candidates("+525500012345")
    query = Creator.objects.filter(phone__in=candidates).order_by("pk")[:1]
    plan = query.explain()
    assert "creator_phone" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert creator_for_phone(phone="+525500012345").handle == "plan_12345"
