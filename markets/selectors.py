"""Reading markets, playbooks and proposals, and the cross-market comparison."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from markets.models import Market, Playbook


def market_list() -> QuerySet[Market]:
    return Market.objects.order_by("name")


def market_get(*, code: str) -> Market | None:
    """The Market of a campaign's, creator's or content item's two-letter code, if known."""
    return Market.objects.filter(code=(code or "").upper()).first()


def market_choices() -> list[tuple[str, str]]:
    return [(market.code, str(market)) for market in market_list()]


def playbook_list(*, market: str = "", kind: str = "", tag: str = "") -> QuerySet[Playbook]:
    playbooks = Playbook.objects.select_related("market").order_by("market_id", "title")
    if market:
        playbooks = playbooks.filter(market_id=market)
    if kind:
        playbooks = playbooks.filter(kind=kind)
    if tag:
        playbooks = playbooks.filter(tags__contains=[tag.strip().lower()])
    return playbooks


def playbook_get(*, pk: int) -> Playbook:
    return get_object_or_404(Playbook.objects.select_related("market"), pk=pk)
