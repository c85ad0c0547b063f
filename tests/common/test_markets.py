from typing import get_args

from common.markets import MARKETS, MarketCode


def test_market_code_type_lists_the_markets_in_order() -> None:
    """The API's `market` field takes exactly the codes of MARKETS, in the same order (its
    schema's enum); mypy only checks MARKETS uses codes of the type."""
    assert list(get_args(MarketCode)) == [code for code, *_rest in MARKETS]
