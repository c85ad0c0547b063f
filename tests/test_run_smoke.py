"""`make run`: what it starts really starts, on the embedded default (PostgreSQL from a
wheel, filesystem broker).

The end-to-end test runs what the Makefile's `run` target runs (`scripts/run_demo.py`, minus
creating the virtualenv, which the suite is already running in) in a scratch directory, then
drives the real web server, Celery worker and beat that it starts from Procfile.dev.
"""

import http.cookiejar
import json
import os
import re
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
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLResolver, get_resolver

from config.embedded_db import embedded_database_stop

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
PASSWORD_LINE = re.compile(r"Password:\s+(\S+)")


# --- Pages, in process ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


@pytest.mark.django_db
def test_admin_login_page_renders(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


@pytest.mark.django_db
def test_home_sends_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


# --- ensure_admin ----------------------------------------------------------------------------


def ensure_admin(**env: str) -> str:
    from io import StringIO

    out = StringIO()
    previous = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        call_command("ensure_admin", stdout=out)
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return out.getvalue()


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_ensure_admin_creates_a_superuser_and_prints_how_to_sign_in(var_dir, monkeypatch):
    monkeypatch.delenv("ALTAVOZ_ADMIN_PASSWORD", raising=False)
    output = ensure_admin()
    password = PASSWORD_LINE.search(output).group(1)
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password(password)
    assert len(password) >= 16
    assert "http://127.0.0.1:8000/" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert "Username:  admin" in output
    stored = var_dir / "admin-password.txt"
    assert stored.read_text().strip() == password
    assert stored.stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_ensure_admin_keeps_the_password_on_later_runs(var_dir, monkeypatch):
    monkeypatch.delenv("ALTAVOZ_ADMIN_PASSWORD", raising=False)
    first = PASSWORD_LINE.search(ensure_admin()).group(1)
    second = PASSWORD_LINE.search(ensure_admin()).group(1)
    assert first == second
    assert get_user_model().objects.filter(username="admin").count() == 1


@pytest.mark.django_db
def test_ensure_admin_password_comes_from_the_environment(var_dir):
    output = ensure_admin(ALTAVOZ_ADMIN_PASSWORD="vuela-altavoz-2024")
    assert "vuela-altavoz-2024" in output
    assert get_user_model().objects.get(username="admin").check_password("vuela-altavoz-2024")
    output = ensure_admin(ALTAVOZ_ADMIN_PASSWORD="otra-clave-larga-99")
    assert get_user_model().objects.get(username="admin").check_password("otra-clave-larga-99")
    assert (var_dir / "admin-password.txt").read_text().strip() == "otra-clave-larga-99"


@pytest.mark.django_db
def test_ensure_admin_does_not_print_a_password_that_no_longer_works(var_dir, monkeypatch):
    monkeypatch.delenv("ALTAVOZ_ADMIN_PASSWORD", raising=False)
    ensure_admin()
    user = get_user_model().objects.get(username="admin")
    user.set_password("changed-by-hand-123")
    user.save()
    output = ensure_admin()
    assert "changepassword admin" in output
    assert (var_dir / "admin-password.txt").read_text().strip() not in output
    assert user.check_password("changed-by-hand-123")


# --- make run, end to end ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _embedded_env(var_dir: Path, web_addr: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ALTAVOZ_ADMIN_PASSWORD"}
        and not key.startswith("PYTEST")
    }
    env.update(
        ALTAVOZ_ENV="development",
        ALTAVOZ_VAR_DIR=str(var_dir),
        ALTAVOZ_WEB_ADDR=web_addr,
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _wait_for(predicate, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    pytest.fail(f"{what} within {timeout:.0f} s; honcho said:\n{log.read_text()[-4000:]}")


def _get(opener, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _ops_urls(ids: dict[str, int]) -> list[str]:
    """Every GET route of the ops app (not the admin, the API or the portal), with the ids
    of demo objects filled in (a route of an object the demo lacks may 404, never 500)."""

    def routes(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    skipped = (
        "admin/",
        "api/",
        "accounts/logout/",
        "i18n/",
        "p/",
        "me/",
        "u/",
        "learn/",
        "t/",
        "hooks/",
    )
    urls = []
    for route in routes(get_resolver().url_patterns):
        if route.startswith(skipped) or "<" in route.split("/")[0]:
            continue
        pk = ids.get(route.split("/")[0], 1)
        url = re.sub(r"<int:[a-z_]+>", str(pk), route)
        urls.append("/" + re.sub(r"<(str|slug|path):[a-z_]+>", "x", url))
    return urls


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.worker
def test_make_run_serves_the_app_and_runs_worker_and_beat_on_the_embedded_default(
    tmp_path, fake_providers
):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _embedded_env(tmp_path, f"127.0.0.1:{port}")
    # `make run` starts its own fakes on fixed ports; here the suite's fakes (free ports)
    # stand in for them, and their SendGrid events go to this app's webhook.
    env.update(fake_providers.settings_env())
    fake_providers.set_behaviour(
        "sendgrid", callbacks={"enabled": True, "url": f"{base}/hooks/sendgrid/events"}
    )

    # The Makefile's `run` recipe: scripts/run_demo.py, with 300 demo creators and the
    # suite's fakes in place of its own.
    env["ALTAVOZ_DEMO_CREATORS"] = "300"
    log = tmp_path / "honcho.log"
    with log.open("w") as log_file:
        honcho = subprocess.Popen(
            [sys.executable, "scripts/run_demo.py", "web", "worker", "beat"],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's Ctrl-C reaches
        )
    try:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )
        _wait_for(
            lambda: _get(opener, f"{base}/accounts/login/")[0] == 200,
            240,  # migrating a new database comes first
            "the login page did not answer",
            log,
        )
        text = log.read_text()
        assert "embedded PostgreSQL at postgres://" in text
        assert "300 creators" in text
        password = PASSWORD_LINE.search(text).group(1)
        # manage.py beside the running demo finds its database without DATABASE_URL.
        assert "nothing to do" in _manage(env, "seed_demo", "--if-empty")
        status, admin_page = _get(opener, f"{base}/admin/login/")
        assert status == 200 and 'name="password"' in admin_page

        # Sign in with the printed admin login: the home page counts the demo creators.
        _status, login_page = _get(opener, f"{base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "admin", "password": password}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
        )
        assert _get(opener, request)[0] == 302
        status, home = _get(opener, f"{base}/")
        assert status == 200 and "300" in home

        # The demo data gives every page content (tests/test_demo_data.py goes into detail):
        # the education library, a leaderboard, an agency script in review, two markets'
        # playbooks, WhatsApp replies to a finished campaign and its stats.
        demo = json.loads(
            _manage(
                env,
                "shell",
                "-c",
                (
                    "import json; from agencies.models import Deliverable; from campaigns.models "
                    "import Campaign; from programs.models import Program; from programs.selectors "
                    "import program_leaderboard; p = Program.objects.get(campaign__name__startswith="
                    "'Demo'); d = Deliverable.objects.get(kind='script'); print(json.dumps({"
                    "'program': p.pk, 'leader': program_leaderboard(program=p, limit=1)[0]['handle'], "
                    "'deliverable': d.pk, 'status': d.status, 'finished': Campaign.objects.get("
                    "name__contains='Ofertas', status='sent').pk}))"
                ),
            )
            .strip()
            .splitlines()[-1]
        )
        assert demo["status"] == "submitted"
        for page, texts in (
            ("/education/", ("Graba con buena luz", "Primeros pasos como creador")),
            (f"/programs/{demo['program']}/leaderboard/", (demo["leader"],)),
            (f"/work/deliverables/{demo['deliverable']}/", ("Guion: vender en vivo",)),
            ("/agencies/", ("Estudio Nopal",)),
            ("/markets/", ("Desafio de vendas ao vivo", "Creator onboarding email course")),
            ("/conversations/", ("Aplica también para productos de belleza",)),
            (f"/stats/campaigns/{demo['finished']}/", ("shop.example.com/ofertas-navidad",)),
        ):
            status, content = _get(opener, f"{base}{page}")
            assert status == 200, page
            for text in texts:
                assert text in content, (page, text)

        # The worker consumes from the filesystem broker; beat runs the database scheduler.
        sent = subprocess.run(
            [
                sys.executable,
                "-c",
                "from config.celery import app; print(app.send_task('celery.backend_cleanup').id)",
            ],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        task_id = sent.stdout.strip().splitlines()[-1]
        _wait_for(
            lambda: re.search(rf"{task_id}\] succeeded", log.read_text()) is not None,
            90,
            "the worker did not run the task",
            log,
        )
        _wait_for(
            lambda: (
                "beat: Starting..." in log.read_text() and "DatabaseScheduler" in log.read_text()
            ),
            60,
            "beat did not start",
            log,
        )
        # A campaign launched on the demo database goes out (inbox in the app, email through
        # the SendGrid fake, whose opens and clicks come back to the webhook), and the ops
        # pages that read it answer on the embedded PostgreSQL too.
        launch = (
            "from campaigns import services; from segments.models import Segment; "
            "c = services.campaign_create(owner=None, name='Demo', kind='mission', "
            "segment=Segment.objects.order_by('pk').first(), messages=[{'channel': 'inbox', "
            "'locale': 'es-MX', 'title': 'Hola', 'body': 'Hola {{ creator.first_name }}'}, "
            "{'channel': 'email', 'locale': 'es-MX', 'subject': 'Hola', "
            "'html': '<p><a href=\"https://shop.example/m\">Mira</a></p>'}]); "
            # A sending policy (a 20 % holdout, computed in PostgreSQL SQL) works in the demo.
            "c.holdout_percent = 20; c.save(update_fields=['holdout_percent']); "
            "services.campaign_launch(campaign=c); print('campaign', c.pk)"
        )
        campaign_id = re.search(r"campaign (\d+)", _manage(env, "shell", "-c", launch)).group(1)
        _wait_for(
            lambda: (
                '"status": "sent"'
                in _manage(
                    env,
                    "shell",
                    "-c",
                    (
                        "import json; from campaigns.models import Campaign; "
                        f"print(json.dumps({{'status': Campaign.objects.get(pk={campaign_id}).status}}))"
                    ),
                )
            ),
            90,
            "the demo campaign was not sent",
            log,
        )
        # A click compares its time with the delivery's sent_at, read back from the database.
        _wait_for(
            lambda: (
                re.search(
                    r"clicks [1-9]",
                    _manage(
                        env,
                        "shell",
                        "-c",
                        (
                            "from tracking.models import Event; print('clicks', Event.objects.filter("
                            f"campaign_id={campaign_id}, kind='clicked').count())"
                        ),
                    ),
                )
                is not None
            ),
            90,
            "no email click from the SendGrid fake was recorded",
            log,
        )
        holdouts = _manage(
            env,
            "shell",
            "-c",
            (
                "from campaigns.models import Delivery; print('holdouts', Delivery.objects.filter("
                f"campaign_id={campaign_id}, status='holdout').count())"
            ),
        )
        assert int(re.search(r"holdouts (\d+)", holdouts).group(1)) > 0
        for page in (
            f"/campaigns/{campaign_id}/",
            f"/stats/campaigns/{campaign_id}/",
            "/education/analytics/",
            "/programs/calendar/",
            "/markets/compare/",
            "/conversations/",
        ):
            assert _get(opener, f"{base}{page}")[0] == 200, page
        # Every ops page answers on the demo database without a server error, and so does
        # every page of the portal, reached as a creator from a message's magic link.
        ids = json.loads(
            _manage(
                env,
                "shell",
                "-c",
                (
                    "import json; from campaigns.models import Delivery; from creators.models import "
                    "Creator; from segments.models import Segment; from tracking.tokens import "
                    f"portal_token_make; d = Delivery.objects.filter(campaign_id={campaign_id}, "
                    "channel='inbox', status='sent').first(); print(json.dumps({'creators': "
                    "Creator.objects.order_by('pk').first().pk, 'campaigns': d.campaign_id, 'stats': "
                    "d.campaign_id, 'readiness': d.campaign_id, 'segments': Segment.objects.order_by("
                    "'pk').first().pk, 'token': portal_token_make(delivery_id=d.pk), 'message': "
                    "d.inbox_message.pk}))"
                ),
            )
            .strip()
            .splitlines()[-1]
        )
        failures = [
            f"{url}: {status}"
            for url in _ops_urls(ids)
            if (status := _get(opener, f"{base}{url}")[0]) >= 500 or status == 0
        ]
        assert failures == [], failures
        creator = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        assert _get(creator, f"{base}/p/{ids['token']}/")[0] == 200  # redirected to /me/
        for page in ("/me/", f"/me/inbox/{ids['message']}/", "/me/learn/", "/me/preferences/"):
            assert _get(creator, f"{base}{page}")[0] == 200, page
        assert "Traceback" not in log.read_text()
        # Every file the broker writes stays under ALTAVOZ_VAR_DIR.
        assert (tmp_path / "broker" / "control" / "celery.pidbox.exchange").exists()

        # Ctrl-C stops all three, then the embedded PostgreSQL.
        os.killpg(honcho.pid, signal.SIGINT)
        honcho.wait(timeout=60)
        text = log.read_text()
        for name in ("web", "worker", "beat"):
            assert re.search(rf"{name}\.1 stopped", text), text[-2000:]
        assert "embedded PostgreSQL stopped" in text
        assert not (tmp_path / "pgdata" / "postmaster.pid").exists()
        assert _get(opener, f"{base}/healthz")[0] == 0  # nobody listens any more
        _wait_for(lambda: not _group_alive(honcho.pid), 20, "processes outlived Ctrl-C", log)
    finally:
        if _group_alive(honcho.pid):
            os.killpg(honcho.pid, signal.SIGKILL)
        if honcho.poll() is None:
            honcho.wait(timeout=10)
        embedded_database_stop(var_dir=tmp_path)  # a failed run must not leave it behind
