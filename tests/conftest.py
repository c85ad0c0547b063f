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
def api_client(db, django_user_model):
    """A Django test client that sends a real bearer token for a manager (who may use every
    operation of the API)."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.services import api_token_create

    user = django_user_model.objects.create_user(username="ops", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="manager"))
    token = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def role_client(db, django_user_model):
    """`role_client("editor")`: a logged-in test client for a fresh user in that role group."""
    from django.contrib.auth.models import Group

    from tests.clients import UserClient

    def make(role: str) -> UserClient:
        user = django_user_model.objects.create_user(username=f"{role}-user", password="x")
        user.groups.add(Group.objects.get(name=role))
        client = UserClient()
        client.force_login(user)
        client.user = user
        return client

    return make
