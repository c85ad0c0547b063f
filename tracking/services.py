"""Services that record what providers and creators tell us about deliveries."""

from __future__ import annotations

from django.utils import timezone

from campaigns.models import Delivery

# Twilio MessageStatus values that mean the provider has the message.
TWILIO_ACCEPTED = {
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "delivered",
    "read",
    "partially_delivered",
}
TWILIO_FAILED = {"failed", "undelivered", "canceled"}
# SendGrid events that show whether SendGrid took a message (a later bounce is a delivery
# outcome, not a send failure).
SENDGRID_ACCEPTED = {"processed", "delivered", "deferred", "open", "click", "bounce"}
SENDGRID_FAILED = {"dropped"}


def delivery_settle_from_provider(
    *, delivery_id: int, accepted: bool, provider_message_id: str = "", error_code: str = ""
) -> bool:
    """Settle a delivery still `sending` or `unknown` from a provider's word about it.

    This is how a delivery whose worker died mid-send gets its real outcome. Settled
    deliveries (`sent`, `failed`) are left alone: callbacks arrive out of order."""
    open_states = [Delivery.Status.SENDING, Delivery.Status.UNKNOWN]
    rows = Delivery.objects.filter(pk=delivery_id, status__in=open_states)
    now = timezone.now()
    if accepted:
        updated = rows.update(
            status=Delivery.Status.SENT, provider_message_id=provider_message_id[:128],
            sent_at=now, updated_at=now, error_code="", error_message="",
        )  # fmt: skip
    else:
        updated = rows.update(
            status=Delivery.Status.FAILED, provider_message_id=provider_message_id[:128],
            error_code=error_code[:64], error_message="Reported failed by the provider.", updated_at=now,
        )  # fmt: skip
    return bool(updated)
