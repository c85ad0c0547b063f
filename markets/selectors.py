"""Reading markets, playbooks and proposals, and the cross-market comparison."""

from __future__ import annotations

from django.db.models import QuerySet

from markets.models import Market


def market_list() -> QuerySet[Market]:
    return Market.objects.order_by("name")


def market_get(*, code: str) -> Market | None:
    """The Market of a campaign's, creator's or content item's two-letter code, if known."""
    return Market.objects.filter(code=(code or "").upper()).first()


def market_choices() -> list[tuple[str, str]]:
    return [(market.code, str(market)) for market in market_list()]
