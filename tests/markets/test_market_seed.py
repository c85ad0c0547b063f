"""The markets exist after migrating, and a campaign's two-letter code finds its Market."""

import pytest

from markets.selectors import market_get
from tests.support.factories import campaign_make

pytestmark = pytest.mark.django_db


def test_mexico_and_the_others_are_seeded():
    mx = market_get(code="MX")
    assert (mx.currency, mx.default_language) == ("MXN", "es-MX")
    assert mx.time_zones[0] == "America/Mexico_City"
    for code in ("BR", "US", "ID", "GB", "ES", "CO"):
        assert market_get(code=code) is not None


def test_a_campaign_market_code_finds_its_market():
    campaign = campaign_make(channels=("inbox",))
    assert market_get(code=campaign.market).name == "México"
    assert market_get(code="mx").code == "MX"
    assert market_get(code="ZZ") is None


def test_missing_markets_come_back_after_migrate_and_edits_stay():
    from markets.models import Market
    from markets.seed import markets_ensure

    Market.objects.filter(code="MX").update(name="Mexico (edited)")
    Market.objects.filter(code="BR").delete()
    markets_ensure()
    assert Market.objects.get(code="BR").currency == "BRL"
    assert Market.objects.get(code="MX").name == "Mexico (edited)"
