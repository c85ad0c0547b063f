"""The browser-test harness, a pytest plugin (tests/conftest.py loads it): the real app on a
live server, driven by headless Chromium via Playwright.

Fixtures
- `browser`: one Chromium for the whole session (`/usr/bin/chromium`, or
  `ALTAVOZ_CHROMIUM`); a missing browser fails the tests, it never skips them.
  `ALTAVOZ_BROWSER_HEADED=1` shows the window (under `xvfb-run` on a machine without a display).
- `page`: a fresh context and page per test, 1280×800, en-US, Mexico City time. Each `shot()`
  (`from tests.support.browser import shot`) and, on failure, a last screenshot land in `var/artifacts/screenshots/<test-name>/`.
  `browser_page_open()` makes such a page with another size, language or folder (the ops walk's).
- `login_as("analyst")`: a new user in that role, signed in through the login form.
- `live_stack`: the live server plus the fake providers and a real Celery worker on the same
  test database and Redis broker, so a campaign launched in the browser is really sent.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import AbstractUser, Group

from accounts.roles import Role, roles_sync
from fakes.client import FakeProviders
from tests.support.browser import SCREENSHOTS, shot, shots_register, shots_unregister
from tests.support.worker import WorkerProcess, broker_flush, stack_stop, worker_env

if TYPE_CHECKING:  # Playwright is imported when the first browser starts
    from playwright.sync_api import Page, ViewportSize

CHROMIUM = os.environ.get("ALTAVOZ_CHROMIUM", "/usr/bin/chromium")
HEADED = os.environ.get("ALTAVOZ_BROWSER_HEADED", "") not in ("", "0")
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
WHATSAPP_FROM = "+14155238886"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test item, so `page` knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: browser tests need it. Install it with "
            "`apt-get install chromium` (.ci/run does), or point ALTAVOZ_CHROMIUM at one. "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; Django's ORM refuses to run
    # in a thread with a running loop unless told it is safe (it is: tests are synchronous).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=not HEADED, args=["--no-sandbox"]
        )
    except Exception as error:
        playwright.stop()
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _test_dir_name(item: pytest.Item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", item.name).strip("-")


@pytest.fixture
def roles(transactional_db) -> None:
    """The role groups. A post_migrate hook makes them, and `flush` between transactional
    tests re-emits post_migrate; if a flush ever ran without it, make them here."""
    names = {role.value for role in Role}
    if set(Group.objects.filter(name__in=names).values_list("name", flat=True)) != names:
        roles_sync()


@contextmanager
def browser_page_open(
    browser,
    request: pytest.FixtureRequest,
    *,
    base_url: str,
    directory: Path,
    viewport: ViewportSize = VIEWPORT,
    locale: str = "en-US",
) -> Iterator[Page]:
    """A fresh context and page on `base_url`, Mexico City time, its screenshots in
    `directory` (emptied first) and, if the test failed, a last one there."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    context = browser.new_context(
        base_url=base_url,
        viewport=viewport,
        locale=locale,
        timezone_id="America/Mexico_City",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    shots_register(page, directory)
    try:
        yield page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            shot(page, "failure")
    finally:
        shots_unregister(page)
        context.close()


@pytest.fixture
def page(browser, live_server, roles, request: pytest.FixtureRequest) -> Iterator[Page]:
    directory = SCREENSHOTS / _test_dir_name(request.node)
    with browser_page_open(browser, request, base_url=live_server.url, directory=directory) as page:
        yield page


@pytest.fixture
def login_as(page, live_server) -> Callable[..., AbstractUser]:
    """`login_as("manager")`: a new user in that role, signed in through the real login form;
    the page is left on the home page."""
    from tests.support.factories import PASSWORD, user_make

    def sign_in(role: str, *, username: str | None = None) -> AbstractUser:
        user = user_make(username or f"{role}-browser", role=role, email="")
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return user

    return sign_in


@dataclass
class LiveStack:
    """The live server's URL, the fakes, and the Celery workers sending through them."""

    url: str
    fakes: FakeProviders
    env: dict[str, str]
    tmp_path: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def worker_start(self, **overrides: str) -> WorkerProcess:
        """Start a worker; `overrides` are environment variables for it only (e.g.
        `PROVIDER_RATE_LIMITS="twilio=10"` to make a send last long enough to watch)."""
        log = self.tmp_path / f"worker-{len(self.workers)}.log"
        worker = WorkerProcess(worker_env(**{**self.env, **overrides}), log).start()
        self.workers.append(worker)
        return worker

    def worker_log(self) -> str:
        return "\n".join(
            worker.log_path.read_text(errors="replace")[-4000:] for worker in self.workers
        )


@pytest.fixture
def live_stack(
    live_server, transactional_db, roles, fake_providers, settings, tmp_path
) -> Iterator[LiveStack]:
    """The app as it runs: live server (this process, a thread), fake Twilio/SendGrid/FCM
    (a subprocess), and Celery workers (subprocesses) on `test_<name>` and the test Redis.
    This process's settings and the workers' environment point at the same fakes; provider
    callbacks reach the live server. No worker runs until `live_stack.worker_start()`."""
    credentials = fake_providers.fcm_credentials_write(tmp_path / "fcm-service-account.json")
    env = {
        **fake_providers.settings_env(credentials),
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "PUBLIC_BASE_URL": live_server.url,
        "EMAIL_PROVIDER": "sendgrid",
        "PROVIDER_RATE_LIMITS": "twilio=0,sendgrid=0,fcm=0,smtp=0,inbox=0",
        "DISPATCH_PARALLELISM": "2",
        # The home page's figures must follow the worker, not a 30 s cache.
        "TRACKING_DELIVERY_COUNTS_TTL": "0",
    }
    for key, value in env.items():
        if key not in (
            "PROVIDER_RATE_LIMITS",
            "DISPATCH_PARALLELISM",
            "EMAIL_PORT",
            "TRACKING_DELIVERY_COUNTS_TTL",
        ):
            setattr(settings, key, value)
    settings.PROVIDER_RATE_LIMITS = {"twilio": 0, "sendgrid": 0, "fcm": 0, "smtp": 0, "inbox": 0}
    settings.TRACKING_DELIVERY_COUNTS_TTL = 0
    fake_providers.set_behaviour("twilio", callbacks={"enabled": False})
    fake_providers.set_behaviour(
        "sendgrid", callbacks={"enabled": False, "url": f"{live_server.url}/hooks/sendgrid/events"}
    )
    broker_flush()
    stack = LiveStack(live_server.url, fake_providers, env, tmp_path)
    try:
        yield stack
    finally:
        stack_stop(stack.workers, fake_providers)
