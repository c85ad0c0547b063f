"""The markets Altavoz knows from the start. Migration 0002 writes them (overwriting); after
every migrate and every test flush, `markets_ensure` adds any that are missing and leaves
edited ones alone. A new market goes here and into a new data migration."""

from __future__ import annotations

from typing import Any

from common.markets import MARKETS

__all__ = ["MARKETS", "markets_ensure"]

# The list itself lives in common (campaigns validates market codes against it).


def markets_ensure(*, apps: Any = None, **kwargs: Any) -> None:
    from django.apps import apps as global_apps

    Market = (apps or global_apps).get_model("markets", "Market")
    Market.objects.bulk_create(
        [
            Market(
                code=code, name=name, default_language=language, currency=currency, time_zones=zones
            )
            for code, name, language, currency, zones in MARKETS
        ],
        ignore_conflicts=True,
    )
