"""The demo's WhatsApp conversations (`manage.py seed_demo`): a few creators writing in, an
ops answer, an unknown number and one opt-out, filed as the webhook files them (the
opt-out through the consent service, with its history row)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.models import Delivery
from conversations import services
from conversations.models import Conversation, Message
from creators.models import Creator

# (minutes ago, text, extra webhook parameters); one thread per creator.
THREADS: tuple[tuple[tuple[int, str, dict[str, str]], ...], ...] = (
    ((95, "Hola, ¿cómo me inscribo a la misión de diciembre?", {}), (90, "¿Me pasan el link?", {})),
    ((240, "No me llegó la muestra 😕", {}),),
    ((30, "Sí, me interesa", {"ButtonPayload": "accept_offer", "ButtonText": "Sí, me interesa"}),),
    (
        (
            60 * 30,
            "Este es mi media kit",
            {
                "NumMedia": "1",
                "MediaUrl0": "https://example.com/demo/media-kit.pdf",
                "MediaContentType0": "application/pdf",
            },
        ),
    ),
    ((15, "BAJA", {}),),
)
UNKNOWN = "+5215598765432"


def _params(number: str, body: str, extra: dict[str, str], sid: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "From": f"whatsapp:{number}",
        "WaId": number.removeprefix("+"),
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Demo",
        **extra,
    }


@transaction.atomic
def conversations_demo_create() -> int:
    """A few demo threads; returns how many (none when creators have threads already)."""
    if Conversation.objects.filter(creator__isnull=False).exists():
        return 0
    creators = list(
        Creator.objects.filter(consent_whatsapp="granted")
        .exclude(phone="")
        .order_by("pk")[: len(THREADS)]
    )
    now = timezone.now()
    count = 0
    for number, (creator, thread) in enumerate(zip(creators, THREADS, strict=False)):
        for index, (minutes, body, extra) in enumerate(thread):
            sid = f"SMdemo{number:04d}{index:04d}".ljust(34, "0")
            _message, confirmation = services.inbound_message_file(
                params=_params("+521" + creator.phone[3:], body, extra, sid),
                received_at=now - timedelta(minutes=minutes),
            )
            if confirmation is not None:
                # Demo history: the confirmation went out when the creator wrote BAJA.
                Message.objects.filter(pk=confirmation.pk).update(
                    status=Message.Status.DELIVERED, at=now - timedelta(minutes=minutes - 1)
                )
        count += 1
    if creators:
        conversation = Conversation.objects.get(creator=creators[0])
        answered = services.outbound_message_create(
            conversation=conversation,
            actor=None,
            body="¡Hola! Entra a la misión desde el enlace de tu portal y elige «Inscribirme».",
        )
        Message.objects.filter(pk=answered.pk).update(
            status=Message.Status.READ, at=now - timedelta(minutes=85)
        )
    services.inbound_message_file(
        params=_params(
            UNKNOWN,
            "Hola, vi su anuncio, ¿cómo entro al programa?",
            {},
            "SMdemounknown".ljust(34, "0"),
        ),
        received_at=now - timedelta(minutes=5),
    )
    return count + 1


REPLIES = (
    "¡Gracias! ¿Aplica también para productos de belleza?",
    "Ya me inscribí 🙌",
    "¿Hasta qué hora es válida la oferta?",
    "Me interesa, ¿me mandan más info?",
    "No me abre el link 😕",
    "Perfecto, hoy hago LIVE con esos productos",
)


@transaction.atomic
def replies_demo_create(*, campaign_ids: list[int], limit: int = 24) -> int:
    """Creators answering the demo campaigns' WhatsApp messages (quoting them, as WhatsApp
    does), some hours after each was sent; returns how many replies were filed."""
    if Message.objects.filter(provider_sid__startswith="SMdemoreply").exists():
        return 0
    deliveries = (
        Delivery.objects.filter(
            campaign_id__in=campaign_ids, channel="whatsapp", status=Delivery.Status.SENT
        )
        .exclude(creator__phone="")
        .select_related("creator")
        .order_by("id")
    )
    now = timezone.now()
    filed = 0
    for index, delivery in enumerate(deliveries[: limit * 4 : 4]):
        creator, sent_at = delivery.creator, delivery.sent_at or now
        received_at = min(now - timedelta(minutes=1), sent_at + timedelta(minutes=7 + 13 * index))
        message, _confirmation = services.inbound_message_file(
            params=_params(
                "+521" + creator.phone[3:],
                REPLIES[index % len(REPLIES)],
                {"OriginalRepliedMessageSid": delivery.provider_message_id},
                f"SMdemoreply{index:04d}".ljust(34, "0"),
            ),
            received_at=received_at,
        )
        filed += message is not None
    return filed
