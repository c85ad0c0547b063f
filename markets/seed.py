"""The markets Altavoz knows from the start. Migration 0002 writes them (overwriting); after
every migrate and every test flush, `markets_ensure` adds any that are missing and leaves
edited ones alone. A new market goes here and into a new data migration."""

from __future__ import annotations

from typing import Any

MARKETS = [
    ("MX", "México", "es-MX", "MXN",
     ["America/Mexico_City", "America/Monterrey", "America/Tijuana", "America/Hermosillo",
      "America/Cancun", "America/Chihuahua", "America/Mazatlan"]),
    ("BR", "Brasil", "pt-BR", "BRL",
     ["America/Sao_Paulo", "America/Manaus", "America/Fortaleza", "America/Noronha"]),
    ("US", "United States", "en-US", "USD",
     ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
      "America/Anchorage", "Pacific/Honolulu"]),
    ("ID", "Indonesia", "id-ID", "IDR", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]),
    ("GB", "United Kingdom", "en-GB", "GBP", ["Europe/London"]),
    ("ES", "España", "es-ES", "EUR", ["Europe/Madrid", "Atlantic/Canary"]),
    ("CO", "Colombia", "es-CO", "COP", ["America/Bogota"]),
]  # fmt: skip


def markets_ensure(*, apps: Any = None, **kwargs: Any) -> None:
    from django.apps import apps as global_apps

    Market = (apps or global_apps).get_model("markets", "Market")
    Market.objects.bulk_create(
        [Market(code=code, name=name, default_language=language, currency=currency,
                time_zones=zones) for code, name, language, currency, zones in MARKETS],
        ignore_conflicts=True,
    )  # fmt: skip
