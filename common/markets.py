"""The markets Altavoz knows from the start: code, name, default language, currency and time
zones. markets/seed.py writes them as rows; apps below markets (campaigns' API) check market
codes against this list."""

from typing import Literal

# The codes of MARKETS, for types (an API field that takes a market): mypy checks every code
# in MARKETS is one of these, and tests/common/test_markets.py that each of these is in MARKETS.
MarketCode = Literal["MX", "BR", "US", "ID", "GB", "ES", "CO"]

MARKETS: list[tuple[MarketCode, str, str, str, list[str]]] = [
    (
        "MX",
        "México",
        "es-MX",
        "MXN",
        [
            "America/Mexico_City",
            "America/Monterrey",
            "America/Tijuana",
            "America/Hermosillo",
            "America/Cancun",
            "America/Chihuahua",
            "America/Mazatlan",
        ],
    ),
    (
        "BR",
        "Brasil",
        "pt-BR",
        "BRL",
        ["America/Sao_Paulo", "America/Manaus", "America/Fortaleza", "America/Noronha"],
    ),
    (
        "US",
        "United States",
        "en-US",
        "USD",
        [
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Los_Angeles",
            "America/Anchorage",
            "Pacific/Honolulu",
        ],
    ),
    ("ID", "Indonesia", "id-ID", "IDR", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]),
    ("GB", "United Kingdom", "en-GB", "GBP", ["Europe/London"]),
    ("ES", "España", "es-ES", "EUR", ["Europe/Madrid", "Atlantic/Canary"]),
    ("CO", "Colombia", "es-CO", "COP", ["America/Bogota"]),
]
