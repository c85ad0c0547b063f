"""Fixtures of the programs tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.programs.sites import LoopbackSite, loopback_site_serve


@pytest.fixture
def loopback_site() -> Iterator[LoopbackSite]:
    with loopback_site_serve() as site:
        yield site
