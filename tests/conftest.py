"""Suite-wide setup: the suite needs real PostgreSQL and Redis and says so in one line if not."""

import os
import socket
from urllib.parse import urlparse

import pytest

pytest_plugins = ["fakes.pytest_plugin", "tests.support.browser_harness"]


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in this
    thread while its browser is open, and the in-process dispatcher needs to start its own."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_configure(config: pytest.Config) -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        pytest.exit(
            "tests need PostgreSQL: run them with `make test` (sets DATABASE_URL)", returncode=2
        )
    if not _reachable(database_url, 5432):
        pytest.exit(
            f"PostgreSQL is unreachable at {urlparse(database_url).netloc}: start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`",
            returncode=2,
        )
    if not redis_url.startswith("redis"):
        pytest.exit("tests need Redis: run them with `make test` (sets REDIS_URL)", returncode=2)
    if not _reachable(redis_url, 6379):
        pytest.exit(
            f"Redis is unreachable at {urlparse(redis_url).netloc}: start it with "
            "`redis-server --daemonize yes --port 6379`",
            returncode=2,
        )


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Tests read the app's messages in English; the Spanish (es-MX, the app's default) UI
    is checked by tests/test_i18n.py, which switch the language themselves."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def api_client(db):
    """A Django test client that sends a real bearer token for a manager (who may use every
    operation of the API)."""
    from django.test import Client

    from accounts.services import api_token_create
    from tests.support.factories import user_make

    user = user_make("ops", role="manager", email="", is_staff=True)
    token = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def role_client(db):
    """`role_client("editor")`: a logged-in test client for a fresh user in that role group."""
    from tests.clients import UserClient
    from tests.support.factories import client_for, user_make

    def make(role: str) -> UserClient:
        return client_for(user_make(f"{role}-user", role=role, email=""))

    return make


@pytest.fixture
def portal_client():
    """`portal_client(creator)`: a test client signed in to the portal through a real magic
    link of a delivery to that creator."""
    from portal.session import CREATOR_KEY
    from tests.clients import CreatorClient
    from tests.support.factories import delivery_make
    from tracking.tokens import portal_token_make

    def make(creator) -> CreatorClient:
        client = CreatorClient()
        delivery = delivery_make(creator)
        response = client.get(f"/p/{portal_token_make(delivery_id=delivery.pk)}/")
        assert response.status_code == 302, response.content
        assert client.session[CREATOR_KEY] == creator.pk
        client.creator = creator
        return client

    return make
