"""Text, media (URL and type kept, never fetched), locations, quick-reply buttons and replies
to a specific message are stored as Twilio sent them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.models import Conversation, Message
from tests.conversations.conftest import inbound_params, inbound_post

pytestmark = pytest.mark.django_db

MEDIA_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"


def test_media_is_kept_as_url_and_type(client, conversation_settings, creator):
    params = inbound_params(
        body="Este es mi media kit",
        NumMedia="2",
        MediaUrl0=MEDIA_URL,
        MediaContentType0="image/jpeg",
        MediaUrl1=MEDIA_URL + "2",
        MediaContentType1="application/pdf",
        MessageType="image",
    )
    inbound_post(client, params)
    message = Message.objects.get()
    assert message.media == [
        {"url": MEDIA_URL, "content_type": "image/jpeg"},
        {"url": MEDIA_URL + "2", "content_type": "application/pdf"},
    ]
    assert message.body == "Este es mi media kit"


def test_media_only_message_previews_as_attachment(client, conversation_settings, creator):
    inbound_post(
        client,
        inbound_params(body="", NumMedia="1", MediaUrl0=MEDIA_URL, MediaContentType0="image/png"),
    )
    assert Conversation.objects.get().preview == "[attachment]"


def test_location_is_stored(client, conversation_settings, creator):
    inbound_post(
        client,
        inbound_params(
            body="",
            Latitude="19.4326",
            Longitude="-99.1332",
            Label="Oficina",
            Address="Av. Reforma 1",
            MessageType="location",
        ),
    )
    message = Message.objects.get()
    assert (message.latitude, message.longitude) == (Decimal("19.432600"), Decimal("-99.133200"))
    assert (message.location_label, message.location_address) == ("Oficina", "Av. Reforma 1")


def test_garbage_location_is_ignored_not_a_500(client, conversation_settings, creator):
    response = inbound_post(
        client, inbound_params(body="x", Latitude="NaN", Longitude="1e999", NumMedia="lots")
    )
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.latitude is None and message.longitude is None and message.media == []


def test_button_press_and_quoted_message_are_stored(client, conversation_settings, creator):
    inbound_post(
        client,
        inbound_params(
            body="Sí, acepto",
            ButtonText="Sí, acepto",
            ButtonPayload="accept_offer_123",
            MessageType="interactive",
            OriginalRepliedMessageSid="MM" + "a" * 32,
            OriginalRepliedMessageSender="whatsapp:+14155238886",
        ),
    )
    message = Message.objects.get()
    assert (message.button_payload, message.button_text) == ("accept_offer_123", "Sí, acepto")
    assert message.replied_to_sid == "MM" + "a" * 32
