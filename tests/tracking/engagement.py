"""A sent campaign whose creators did every kind of thing: opened, clicked, bounced, were
refused, held out; plus machine opens and bot clicks that count for nobody."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from campaigns import fanout
from campaigns.models import Campaign, Delivery
from tests.support.factories import campaign_make, creators_make
from tracking.models import Event
from tracking.services import KEY_FAIL, event_record

S = Delivery.Status
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def engaged_campaign_make() -> Campaign:
    """40 creators × email and WhatsApp. By creator index: every third opened its email, every
    fifth clicked it (some without an open), every seventh's email bounced after acceptance,
    every eleventh is refused on both channels, every thirteenth is holdout, and a few
    machine opens and bot clicks that must count for nobody."""
    creators = creators_make(40)
    campaign = campaign_make(channels=("email", "whatsapp"))
    Campaign.objects.filter(pk=campaign.pk).update(status="sent", last_run=1)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=1)
    sent_at = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(campaign=campaign).update(status=S.SENT, sent_at=sent_at)
    for index, creator in enumerate(creators):
        email = Delivery.objects.get(campaign=campaign, creator=creator, channel="email")
        both = Delivery.objects.filter(campaign=campaign, creator=creator)
        later = sent_at + timedelta(minutes=10)
        if index % 13 == 0:
            both.update(status=S.HOLDOUT, sent_at=None)
            continue
        if index % 11 == 0:
            both.update(status=S.FAILED, error_code="21211")
            continue
        if index % 7 == 0:
            event_record(
                delivery_id=email.pk, kind=Event.Kind.BOUNCED, source="sendgrid",
                dedupe_key=KEY_FAIL, occurred_at=later,
            )  # fmt: skip
            Delivery.objects.filter(campaign=campaign, creator=creator, channel="whatsapp").update(
                status=S.FAILED
            )
        if index % 3 == 0:
            event_record(
                delivery_id=email.pk, kind=Event.Kind.OPENED, source="pixel",
                user_agent=UA, occurred_at=later,
            )  # fmt: skip
        if index % 5 == 0:
            event_record(
                delivery_id=email.pk, kind=Event.Kind.CLICKED, source="redirect",
                user_agent=UA, occurred_at=later + timedelta(minutes=1),
            )  # fmt: skip
        if index % 4 == 1:  # machine open and bot click only: still "did not open"
            event_record(
                delivery_id=email.pk, kind=Event.Kind.OPENED, source="pixel",
                automated_reason="prefetch", occurred_at=later,
            )  # fmt: skip
            event_record(
                delivery_id=email.pk, kind=Event.Kind.CLICKED, source="redirect",
                automated_reason="agent", occurred_at=later,
            )  # fmt: skip
    return campaign
