"""What the portal changes: signing a creator in from a link, their preferences, unsubscribes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from campaigns.models import Delivery
from creators.models import CONSENT_FIELDS, ConsentChange, ConsentStatus, Creator
from creators.services import creator_consent_set, portal_link_revoked
from portal.exceptions import LinkExpired, LinkInvalid, LinkRevoked
from tracking import services as tracking_services
from tracking.models import Event
from tracking.tokens import (
    portal_token_expired_delivery_id,
    portal_token_make,
    portal_token_read,
    unsubscribe_token_read,
)


@dataclass(frozen=True)
class PortalEntry:
    creator: Creator
    delivery_id: int


def portal_link_open(*, token: str) -> PortalEntry:
    """The creator and delivery a magic link names. Raises LinkExpired, LinkInvalid or
    LinkRevoked (a link made before `creator_portal_revoke`)."""
    try:
        read = portal_token_read(token)
    except signing.SignatureExpired as error:
        delivery_id = portal_token_expired_delivery_id(error)
        locale = (
            Delivery.objects.filter(pk=delivery_id)
            .values_list("creator__locale", flat=True)
            .first()
            if delivery_id is not None
            else None
        )
        raise LinkExpired(locale=locale) from error
    except signing.BadSignature as error:
        raise LinkInvalid() from error
    delivery = Delivery.objects.select_related("creator").filter(pk=read.delivery_id).first()
    if delivery is None:
        raise LinkInvalid()
    creator = delivery.creator
    if portal_link_revoked(creator=creator, signed_at=read.signed_at):
        raise LinkRevoked(locale=creator.locale)
    return PortalEntry(creator=creator, delivery_id=delivery.pk)


def portal_link_from_message(*, delivery: Delivery, made_at: float | None) -> str | None:
    """A magic token for a page reached from a message's link (the unsubscribe page's link
    to the preference center), dated when the message was made, so it is no stronger than
    the message's own portal link: None when that link would be refused (revoked since, or
    expired), or when the message's token carries no time."""
    if made_at is None:
        return None
    if timezone.now().timestamp() - made_at > settings.PORTAL_LINK_MAX_AGE:
        return None
    if portal_link_revoked(creator=delivery.creator, signed_at=made_at):
        return None
    return portal_token_make(delivery_id=delivery.pk, issued_at=made_at)


@transaction.atomic
def creator_portal_link_make(*, creator: Creator, actor: User) -> str | None:
    """A magic link to the creator's portal for a person to send them by hand, or None if no
    message was ever sent to them (a portal link names the delivery that carried it). Made
    from their latest delivery, valid PORTAL_LINK_MAX_AGE, turned off like any other by
    `creator_portal_revoke`; audited as `creator.portal_link`."""
    delivery = Delivery.objects.filter(creator=creator).order_by("-pk").only("pk").first()
    if delivery is None:
        return None
    audit_record(actor=actor, action="creator.portal_link", target=creator)
    token = portal_token_make(delivery_id=delivery.pk)
    return f"{settings.PUBLIC_BASE_URL}/p/{token}/"


@transaction.atomic
def creator_preferences_update(
    *,
    creator: Creator,
    consents: dict[str, bool],
    locale: str,
    quiet_hours_start: time | None,
    quiet_hours_end: time | None,
) -> Creator:
    """Apply the preference center's form. `consents` holds only the channels the creator
    changed (an unknown consent left unticked stays unknown); each whose consent changes goes
    through `creator_consent_set`, so it lands in the consent history as a preference-center
    change."""
    for channel, wanted in consents.items():
        status = ConsentStatus.GRANTED if wanted else ConsentStatus.DENIED
        if getattr(creator, CONSENT_FIELDS[channel]) != status:
            creator_consent_set(
                creator=creator,
                channel=channel,
                status=status,
                source=ConsentChange.Source.PREFERENCE_CENTER,
            )
    creator.locale = locale
    creator.quiet_hours_start, creator.quiet_hours_end = quiet_hours_start, quiet_hours_end
    creator.updated_at = timezone.now()
    creator.save(update_fields=["locale", "quiet_hours_start", "quiet_hours_end", "updated_at"])
    return creator


@dataclass(frozen=True)
class Unsubscribed:
    creator: Creator
    channel: str
    delivery_id: int


@dataclass(frozen=True)
class UnsubscribeLink:
    delivery: Delivery
    made_at: float | None  # when the message was made (None: an untimestamped token)


def unsubscribe_token_check(*, token: str) -> UnsubscribeLink | None:
    """The delivery an unsubscribe link names, or None (forged, expired, or no such
    delivery). Unsubscribing never depends on portal access: a revoked creator can too."""
    read = unsubscribe_token_read(token)
    if read is None:
        return None
    delivery = Delivery.objects.select_related("creator").filter(pk=read.delivery_id).first()
    if delivery is None:
        return None
    return UnsubscribeLink(delivery=delivery, made_at=read.signed_at)


@transaction.atomic
def delivery_unsubscribe(*, delivery: Delivery, user_agent: str = "", ip: str = "") -> Unsubscribed:
    """The creator unsubscribed from the channel this delivery came by: consent denied at
    once (with history, source "unsubscribe"), and the delivery's `unsubscribed` event (once)."""
    creator = Creator.objects.select_for_update().get(pk=delivery.creator_id)
    if creator.consent_for(delivery.channel) != ConsentStatus.DENIED:
        creator_consent_set(
            creator=creator,
            channel=delivery.channel,
            status=ConsentStatus.DENIED,
            source=ConsentChange.Source.UNSUBSCRIBE,
        )
    tracking_services.event_record(
        delivery_id=delivery.pk,
        kind=Event.Kind.UNSUBSCRIBED,
        source=Event.Source.REDIRECT,
        dedupe_key=tracking_services.KEY_UNSUBSCRIBE,
        user_agent=user_agent,
        ip=ip,
    )
    return Unsubscribed(creator=creator, channel=delivery.channel, delivery_id=delivery.pk)
