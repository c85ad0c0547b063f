"""The incoming-message webhook: signed requests only, stored once per MessageSid, answered
with an empty TwiML, the message filed in its creator's thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, InboundWebhook, Message
from tests.conversations.conftest import inbound_params, inbound_post

pytestmark = pytest.mark.django_db


def test_signed_message_lands_in_the_creators_thread(client, conversation_settings, creator):
    params = inbound_params(body="¿Cómo me inscribo?")
    response = inbound_post(client, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content == b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
    conversation = Conversation.objects.get()
    assert conversation.creator == creator
    assert conversation.unread_count == 1
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.preview == "¿Cómo me inscribo?"
    assert conversation.wa_id == "5215512345678"
    message = Message.objects.get()
    assert (message.direction, message.body, message.provider_sid) == (
        "in",
        "¿Cómo me inscribo?",
        params["MessageSid"],
    )
    assert message.raw["ProfileName"] == "Ana López"
    assert InboundWebhook.objects.get().processed_at is not None


def test_forged_signature_gets_403_and_writes_nothing(client, conversation_settings, creator):
    params = inbound_params()
    response = client.post(
        "/hooks/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl"
    )
    assert response.status_code == 403
    assert inbound_post(client, params, signed=False).status_code == 403
    assert not InboundWebhook.objects.exists()
    assert not Message.objects.exists()
    assert not Conversation.objects.exists()


def test_altered_parameter_breaks_the_signature(client, conversation_settings, creator):
    from tests.conversations.conftest import signature

    params = inbound_params(body="hola")
    header = signature(params)
    response = client.post(
        "/hooks/twilio/inbound", {**params, "Body": "BAJA"}, HTTP_X_TWILIO_SIGNATURE=header
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_retried_message_is_stored_once(client, conversation_settings, creator):
    params = inbound_params(body="hola")
    for _ in range(3):
        assert inbound_post(client, params).status_code == 200
    assert InboundWebhook.objects.count() == 1
    assert Message.objects.count() == 1
    assert Conversation.objects.get().unread_count == 1


def test_message_opens_the_creators_window_for_24_hours(client, conversation_settings, creator):
    before = timezone.now()
    inbound_post(client, inbound_params())
    creator.refresh_from_db()
    assert creator.whatsapp_window_open_until is not None
    assert before + timedelta(hours=24) <= creator.whatsapp_window_open_until
    assert creator.whatsapp_window_open_until <= timezone.now() + timedelta(hours=24)


def test_unsigned_get_and_missing_sid_do_not_500(client, conversation_settings):
    assert client.get("/hooks/twilio/inbound").status_code == 405
    params = inbound_params()
    params.pop("MessageSid")
    response = inbound_post(client, params)
    assert response.status_code == 400
    assert not InboundWebhook.objects.exists()


def test_nul_characters_are_a_400_not_a_500(client, conversation_settings, creator):
    # PostgreSQL cannot store a NUL: the project's input middleware refuses it first.
    response = inbound_post(client, inbound_params(body="ho\x00la"))
    assert response.status_code == 400
    assert not InboundWebhook.objects.exists()


def test_webhook_skips_the_page_middleware(client, conversation_settings, creator):
    """Answered by common.fastpaths: no session, locale or CSP work (headers they would add)."""
    page = client.get("/healthz")
    assert "Content-Security-Policy" in page and "Accept-Language" in page["Vary"]
    response = inbound_post(client, inbound_params())
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert "Vary" not in response
    assert not response.cookies
    assert Message.objects.count() == 1


def test_unknown_host_is_a_400_on_the_fast_path(client, conversation_settings, creator):
    response = inbound_post(client, inbound_params(), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert not InboundWebhook.objects.exists()


def test_signature_over_the_url_with_its_port_is_accepted(client, conversation_settings, creator):
    """Twilio may sign `https://host:443/…`: accepted as RequestValidator.validate does."""
    from django.conf import settings
    from twilio.request_validator import RequestValidator

    params = inbound_params()
    url = "https://altavoz.example:443/hooks/twilio/inbound"
    signed = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    response = client.post("/hooks/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signed)
    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_only_csrf_exempt_views_may_skip_the_middleware():
    from django.http import HttpResponse

    from common.fastpaths import fast_path_register

    with pytest.raises(ValueError):
        fast_path_register(path="/hooks/page", view=lambda request: HttpResponse())


def test_burst_flag_is_the_shared_cache_key():
    """The webhook sets the burst flag through its own Redis client: the same key, value and
    expiry as `cache.add`, so the filing task's `cache.delete` clears it."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.redis import RedisCache

    from conversations import tasks

    assert isinstance(caches["default"], RedisCache)  # REDIS_URL is set for the tests
    cache.delete(tasks.FILING_FLAG)
    assert tasks._flag_add() is True
    assert tasks._flag_add() is False
    assert cache.get(tasks.FILING_FLAG) == 1
    key = caches["default"].make_and_validate_key(tasks.FILING_FLAG)
    assert 0 < caches["default"]._cache.get_client().ttl(key) <= tasks.FILING_FLAG_SECONDS
    cache.delete(tasks.FILING_FLAG)  # what the filing task does first
    assert tasks._flag_add() is True
    cache.delete(tasks.FILING_FLAG)
