"""What dispatch and reconciliation need from the tracking app, supplied by it.

Tracking sits above campaigns in the layer order (it reads deliveries), so campaigns never
imports it: TrackingConfig.ready() registers the functions that sign a delivery's click,
open-pixel and push-open tokens, settle a delivery from its provider's word, and find a
provider's events, and campaigns calls them through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from campaigns.rendering import LinkBuilder


class DeliveryLinkBuilder(LinkBuilder, Protocol):
    """A delivery's links: what its templates need, and the URLs dispatch hands the provider."""

    def status_callback(self) -> str:
        """Where the provider reports the delivery's status (Twilio's StatusCallback), or ""
        where no provider does."""
        ...

    def unsubscribe_one_click(self) -> str:
        """The RFC 8058 one-click unsubscribe URL (List-Unsubscribe-Post)."""
        ...


@dataclass(frozen=True)
class DeliveryTracking:
    # links_for(delivery_id=, channel=, locale=, campaign_id=, link_cache=) -> DeliveryLinkBuilder
    links_for: Callable[..., DeliveryLinkBuilder]
    # content_add(content, channel=, links=) -> content with the pixel / push-open token
    content_add: Callable[..., dict[str, Any]]
    # settle_from_provider(delivery_id=, accepted=, provider_message_id=, error_code=) -> bool:
    # settle a `sending`/`unknown` delivery from what its provider says (reconcile.py)
    settle_from_provider: Callable[..., bool]
    # provider_events(provider="sendgrid") -> a queryset of that provider's events for the
    # delivery `OuterRef("pk")`, for Exists() (reconcile.py: "did SendGrid ever answer?")
    provider_events: Callable[..., QuerySet]


_REGISTERED: list[DeliveryTracking] = []


def delivery_tracking_register(tracking: DeliveryTracking) -> None:
    _REGISTERED[:] = [tracking]


def delivery_tracking() -> DeliveryTracking:
    if not _REGISTERED:
        raise ImproperlyConfigured("No delivery tracking registered: is 'tracking' installed?")
    return _REGISTERED[0]
