"""Amounts read as people in Mexico write them: $1,234.50 MXN."""

from decimal import Decimal

import pytest
from django.utils import translation

from common.templatetags.money import mxn


@pytest.mark.parametrize("language", ["es-mx", "en"])
def test_mxn_groups_thousands_with_commas_and_two_decimals(language):
    with translation.override(language):
        assert mxn(Decimal("1234567.5")) == "$1,234,567.50 MXN"
        assert mxn(0) == "$0.00 MXN"
        assert mxn(None) == "—"
