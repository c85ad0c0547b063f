"""The demo's WhatsApp conversations (`manage.py seed_demo`): a few creators writing in, an
ops answer, an unknown number and one opt-out, filed as the webhook files them (the
opt-out through the consent service, with its history row)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

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
