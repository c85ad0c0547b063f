"""Reconcile `unknown` deliveries with what the providers can tell, after a grace period.

A delivery is `unknown` when it may have reached its provider but no answer came back (its
worker was killed mid-send, or the read timed out). Status callbacks and event webhooks
settle most of them. Those still `unknown` `DISPATCH_RECONCILE_SECONDS` later are looked up:

- WhatsApp: Twilio's Messages list for the recipient since the send started. A message no
  other delivery claims settles the delivery (`sent`, or `failed` if Twilio says so); none
  means Twilio never took it, and it is sent again.
- Email through SendGrid: SendGrid posts a `processed` event for every message it accepts,
  so no SendGrid event at all for the delivery by then means it was never accepted, and it
  is sent again. (Through SMTP there are no events: it stays `unknown`.)
- Push: FCM keeps no record to ask: it stays `unknown`, with its reason, for a person.

Sending again goes through `deliveries_resend` (audited, and a finished campaign goes back
to `sending` for it), so each is still handed to a provider from `sending`, once per attempt.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db.models import Exists, QuerySet
from django.utils import timezone

from campaigns.delivery_tracking import delivery_tracking
from campaigns.models import Campaign, Delivery
from campaigns.resend import deliveries_resend
from channels.base import Reconciled, Reconciliation, Unsettled, Verdict
from channels.registry import adapter_class, reconciling_adapter_for

logger = logging.getLogger(__name__)


def deliveries_reconcile(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Look up `unknown` deliveries older than the grace period; returns counts per verdict.

    Each channel's adapter says how (`reconciled_by`, channels/base.py): ask the provider, read
    the provider's events, or mark the delivery unverifiable with the adapter's reason.
    """
    now = now or timezone.now()
    due = Delivery.objects.filter(
        status=Delivery.Status.UNKNOWN,
        updated_at__lt=now - timedelta(seconds=settings.DISPATCH_RECONCILE_SECONDS),
    ).exclude(error_code="unverifiable")
    counts: dict[str, int] = defaultdict(int)
    verdicts: list[Reconciled] = []
    for channel in sorted(set(due.values_list("channel", flat=True).distinct())):
        adapter = adapter_class(channel)
        rows = due.filter(channel=channel)
        if adapter.reconciled_by is Reconciliation.LOOKUP:
            verdicts += _lookup_reconcile(channel, rows[:limit])
        elif adapter.reconciled_by is Reconciliation.EVENTS:
            verdicts += _events_reconcile(adapter.provider, rows[:limit])
        else:
            # Nothing to ask: say so on the delivery, once, and leave it to a person.
            marked = rows.update(
                error_code="unverifiable",
                error_message=adapter.unverifiable_reason,
                updated_at=now,
            )
            counts["unverifiable"] += marked
    resend: dict[int, list[int]] = defaultdict(list)
    campaign_of = dict(
        Delivery.objects.filter(pk__in=[v.delivery_id for v in verdicts]).values_list(
            "pk", "campaign_id"
        )
    )
    for verdict in verdicts:
        counts[verdict.verdict] += 1
        if verdict.verdict is Verdict.TAKEN:
            delivery_tracking().settle_from_provider(
                delivery_id=verdict.delivery_id,
                accepted=not verdict.failed,
                provider_message_id=verdict.provider_message_id,
                error_code=verdict.error_code,
            )
        elif verdict.verdict is Verdict.NOT_TAKEN:
            resend[campaign_of[verdict.delivery_id]].append(verdict.delivery_id)
    for campaign in Campaign.objects.filter(pk__in=list(resend)):
        if campaign.status in (Campaign.Status.DRAFT, Campaign.Status.CANCELLED):
            continue
        sent_again = deliveries_resend(
            campaign=campaign, delivery_ids=resend[campaign.pk], include_unknown=True
        )
        counts["resent"] += sent_again
        logger.warning(
            "reconcile: campaign %s: %s deliveries never reached their provider; sent again",
            campaign.pk,
            sent_again,
        )
    return dict(counts)


def _lookup_reconcile(channel: str, due: QuerySet[Delivery]) -> list[Reconciled]:
    rows = list(due.select_related("creator"))
    if not rows:
        return []
    unsettled = [
        Unsettled(
            delivery_id=row.pk, phone=row.creator.phone, since=row.claimed_at, until=row.updated_at
        )
        for row in rows
    ]
    earliest = min(row.claimed_at or row.updated_at for row in rows) - timedelta(minutes=5)
    # Twilio message ids other deliveries already hold: a message of theirs is not this one.
    known_ids = frozenset(
        Delivery.objects.filter(
            channel=channel,
            creator_id__in=[row.creator_id for row in rows],
            updated_at__gte=earliest,
        )
        .exclude(provider_message_id="")
        .values_list("provider_message_id", flat=True)
    )
    return async_to_sync(_adapter_reconcile)(channel, unsettled, known_ids)


async def _adapter_reconcile(
    channel: str, unsettled: list[Unsettled], known_ids: frozenset[str]
) -> list[Reconciled]:
    adapter = reconciling_adapter_for(channel)
    try:
        return await adapter.reconcile(unsettled, known_ids=known_ids)
    finally:
        await adapter.close()


def _events_reconcile(provider: str, rows: QuerySet[Delivery]) -> list[Reconciled]:
    heard = delivery_tracking().provider_events(provider=provider)
    return [
        Reconciled(pk, Verdict.UNKNOWN if any_event else Verdict.NOT_TAKEN)
        for pk, any_event in rows.annotate(heard=Exists(heard)).values_list("pk", "heard")
    ]
