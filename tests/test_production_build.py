"""The production image's path, end to end: what the Dockerfile runs (`collectstatic` with the
build step's environment), then gunicorn on `config.wsgi` with production settings on the
test database, driven over HTTP as it is behind the TLS-terminating proxy of docs/deploy.md.

The proxy is the only thing simulated: it sends `Host` and `X-Forwarded-Proto: https` (which
the settings trust, `SECURE_PROXY_SSL_HEADER`) and the client keeps `Secure` cookies, as a
browser on the https side does. Production settings are not weakened.
"""

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection

from accounts.roles import roles_sync
from tests.support.factories import creator_make, delivery_make

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
HOST = "altavoz.example.com"
ORIGIN = f"https://{HOST}"
PASSWORD = "production-path-password-8472"
# The build step's line in the Dockerfile, whose environment the test reuses.
BUILD_SECRET = re.compile(r"SECRET_KEY=(\S+)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _base_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_"))
        and key
        not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "STATIC_ROOT"}
        and not key.startswith("CELERY_")
    }


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = urllib.parse.quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class _BehindTheProxy(http.cookiejar.DefaultCookiePolicy):
    """The browser talks https to the proxy, so it sends its `Secure` cookies back."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class ProxiedClient:
    """Requests to gunicorn as the proxy forwards them, with a browser's cookie jar."""

    def __init__(self, base: str, *, address: str = "203.0.113.10") -> None:
        self.base = base
        self.address = address  # the browser's, as the proxy appends it to X-Forwarded-For
        self.cookies = http.cookiejar.CookieJar(policy=_BehindTheProxy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def request(
        self, path: str, *, data: dict[str, str] | None = None, proxied: bool = True
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": HOST}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
            headers["X-Forwarded-For"] = self.address
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Referer"] = f"{ORIGIN}{path}"
        request = urllib.request.Request(f"{self.base}{path}", data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str, **kwargs) -> tuple[int, dict[str, str], bytes]:
        return self.request(path, **kwargs)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        return self.request(path, data=data)


def _wait_for_health(client: ProxiedClient, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if client.get("/healthz", proxied=False)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()[-4000:]}")


@pytest.fixture
def production_server(transactional_db, tmp_path):
    """`collectstatic` exactly as the Dockerfile's build step runs it, then gunicorn with the
    runtime stage's environment (plus the database, Redis and host a deployment sets)."""
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    build_env = _base_env()
    build_env.update(
        ALTAVOZ_ENV="production",
        SECRET_KEY=BUILD_SECRET.search(dockerfile).group(1),
        STATIC_ROOT=str(tmp_path / "staticfiles"),
        ALTAVOZ_VAR_DIR=str(tmp_path / "build-var"),
    )
    _run(build_env, sys.executable, "manage.py", "collectstatic", "--noinput", "-v0")
    assert (tmp_path / "staticfiles" / "staticfiles.json").is_file()

    port = _free_port()
    runtime_env = _base_env()
    runtime_env.update(
        ALTAVOZ_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=ORIGIN,
        PUBLIC_BASE_URL=ORIGIN,
        DATABASE_URL=_test_database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
        ALTAVOZ_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "staticfiles"),
        WEB_CONCURRENCY="1",
        SIGNIN_ADDRESS_FAILURES="3",  # fewer slow password checks before the pause
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        # The image's CMD, on a loopback port.
        process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi",
                "--config",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=BASE_DIR,
            env=runtime_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_health(ProxiedClient(f"http://127.0.0.1:{port}"), process, log)
        yield f"http://127.0.0.1:{port}", runtime_env, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match is not None, html
    return match.group(1).decode()


def test_production_image_serves_the_main_pages_with_hashed_static_files(
    production_server, django_user_model
):
    base, env, log = production_server
    if not Group.objects.filter(name="manager").exists():
        roles_sync()
    user = django_user_model.objects.create_user(username="ops-prod", password=PASSWORD)
    user.groups.add(Group.objects.get(name="manager"))
    creator = creator_make("creadora_prod")
    delivery = delivery_make(creator, channel="inbox")
    campaign = delivery.campaign

    ops = ProxiedClient(base)
    # Without the proxy's header the request is plain HTTP: redirected to https.
    status, headers, _ = ops.get("/accounts/login/", proxied=False)
    assert status == 301 and headers["Location"] == f"{ORIGIN}/accounts/login/"

    status, headers, login_page = ops.get("/accounts/login/")
    assert status == 200, login_page[-2000:]
    assert "Secure" in headers.get("Set-Cookie", "")  # the CSRF cookie
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    status, headers, _ = ops.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf_token(login_page),
            "username": user.username,
            "password": PASSWORD,
            "next": "",
        },
    )
    assert status == 302 and headers["Location"] == "/", log.read_text()[-3000:]

    pages = {}
    for path in ("/", "/creators/", "/campaigns/new/", f"/stats/campaigns/{campaign.pk}/"):
        status, _headers, html = ops.get(path)
        assert status == 200, f"{path}: {status}\n{html[-2000:]!r}\n{log.read_text()[-3000:]}"
        pages[path] = html.decode()

    # Static URLs in the pages are the hashed names from the manifest, and whitenoise serves
    # them (compressed when asked) with a far-future cache lifetime.
    css = re.search(r"/static/altavoz\.[0-9a-f]{12}\.css", pages["/"]).group(0)
    chart = re.search(
        r"/static/vendor/chartjs/chart\.umd\.min\.[0-9a-f]{12}\.js",
        pages[f"/stats/campaigns/{campaign.pk}/"],
    ).group(0)
    for url in (css, chart):
        status, headers, body = ops.get(url)
        assert status == 200 and body, url
        assert "immutable" in headers["Cache-Control"], headers
    status, _headers, script = ops.get(chart)
    source_map = re.search(rb"sourceMappingURL=(chart\.umd\.min\.js\.[0-9a-f]{12}\.map)", script)
    assert ops.get(f"/static/vendor/chartjs/{source_map.group(1).decode()}")[0] == 200

    # A creator opens the magic link from a message (signed with the server's SECRET_KEY,
    # as the worker that sends it would) and lands in the portal.
    token = (
        _run(
            env,
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from tracking.tokens import portal_token_make; "
            f"print(portal_token_make(delivery_id={delivery.pk}))",
        )
        .strip()
        .splitlines()[-1]
    )
    portal = ProxiedClient(base)
    status, headers, _ = portal.get(f"/p/{token}/")
    assert status == 302, log.read_text()[-3000:]
    status, _headers, inbox = portal.get(headers["Location"])
    assert status == 200 and b"/static/" in inbox, inbox[-2000:]

    # Sign-in throttling counts per client address (the proxy's X-Forwarded-For entry, not
    # the proxy's own address) in Redis: one client's failures pause that client only.
    # (Redis keeps counters between runs: fresh addresses each time.)
    guesser = ProxiedClient(base, address=f"198.51.100.{secrets.randbelow(250) + 1}")
    for attempt in range(3):
        _status, _headers, page = guesser.get("/accounts/login/")
        status, _headers, page = guesser.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": _csrf_token(page),
                "username": f"nobody-{attempt}",
                "password": "wrong",
                "next": "",
            },
        )
    # The page speaks the app's default language, es-MX, to a client that asks for none.
    assert status == 200 and b"en pausa durante 15 minutos" in page
    other = ProxiedClient(base, address=f"192.0.2.{secrets.randbelow(250) + 1}")
    _status, _headers, page = other.get("/accounts/login/")
    status, headers, _ = other.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf_token(page),
            "username": user.username,
            "password": PASSWORD,
            "next": "",
        },
    )
    assert status == 302 and headers["Location"] == "/"

    assert "Traceback" not in log.read_text()
