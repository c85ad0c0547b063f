"""Inbox: the message is stored for the creator's in-app message center and served by the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from asgiref.sync import sync_to_async
from django.db import IntegrityError, connections, transaction

from channels.base import Outgoing, Reconciliation, SendResult
from channels.models import InboxMessage


def _inbox_store(outgoing: Sequence[Outgoing]) -> list[SendResult]:
    rows = [
        InboxMessage(
            creator_id=item.creator_id,
            delivery_id=item.delivery_id,
            title=item.content.get("title", "")[:200],
            body=item.content.get("body", ""),
            cta_label=item.content.get("cta_label", "")[:80],
            cta_link=item.content.get("cta_link", ""),
        )
        for item in outgoing
    ]
    try:
        with transaction.atomic():
            InboxMessage.objects.bulk_create(rows)
    except IntegrityError:
        # A delivery already in the inbox (one-to-one): store the others, keep the first copy.
        InboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    stored = dict(
        InboxMessage.objects.filter(
            delivery_id__in=[item.delivery_id for item in outgoing]
        ).values_list("delivery_id", "id")
    )
    return [SendResult.accepted(item, f"inbox-{stored[item.delivery_id]}") for item in outgoing]


class InboxAdapter:
    code: ClassVar[str] = "inbox"
    provider: ClassVar[str] = "inbox"
    address_field: ClassVar[str] = ""
    needs_device_tokens: ClassVar[bool] = False
    needs_unsubscribe_links: ClassVar[bool] = False
    # Inbox messages are rows in our own database, written in the send: never left unknown.
    reconciled_by: ClassVar[Reconciliation] = Reconciliation.NONE
    unverifiable_reason: ClassVar[str] = "delivery.unverifiable_inbox"

    async def send_batch(self, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        return await sync_to_async(_inbox_store, thread_sensitive=True)(outgoing)

    async def close(self) -> None:
        # The store ran in asgiref's sync thread: release the database connection it opened.
        await sync_to_async(connections.close_all, thread_sensitive=True)()
