"""The naive baseline for bench.dispatch: one Celery task per message, a sync Twilio client.

This is what a first version of a sender usually looks like; bench.dispatch loads it into
the benchmark's worker with `--include bench.naive`.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from twilio.rest import Client

from campaigns.models import Delivery, Message
from campaigns.rendering import (
    MessageRenderer,
    PreviewLinks,
    campaign_context_build,
    creator_context_build,
)

_client: Client | None = None


def _twilio() -> Client:
    global _client
    if _client is None:
        _client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        _client.api.base_url = settings.TWILIO_BASE_URL
    return _client


@shared_task
def naive_send(delivery_id: int) -> None:
    delivery = Delivery.objects.select_related("creator", "campaign").get(pk=delivery_id)
    message = Message.objects.get(
        campaign=delivery.campaign, channel="whatsapp", locale=delivery.locale
    )
    content = MessageRenderer("whatsapp", message.fields).render(
        creator=creator_context_build(delivery.creator),
        campaign=campaign_context_build(delivery.campaign),
        links=PreviewLinks(locale=delivery.locale),
    )
    sent = _twilio().messages.create(
        to=f"whatsapp:{delivery.creator.phone}",
        from_=f"whatsapp:{settings.TWILIO_WHATSAPP_FROM}",
        body=content["body"],
    )
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, provider_message_id=sent.sid
    )
