"""pytest fixtures for the fake providers. Load with ``pytest_plugins = ["fakes.pytest_plugin"]``.

- ``fake_providers_session``: one fakes subprocess for the whole run.
- ``fake_providers``: the same process, reset (behaviours, outbox, callbacks) before each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.client import FakeProviders


@pytest.fixture(scope="session")
def fake_providers_session() -> Iterator[FakeProviders]:
    fakes = FakeProviders().start()
    try:
        yield fakes
    finally:
        fakes.stop()


@pytest.fixture
def fake_providers(fake_providers_session: FakeProviders) -> Iterator[FakeProviders]:
    fake_providers_session.reset()
    yield fake_providers_session
    fake_providers_session.reset()
