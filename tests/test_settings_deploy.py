"""Production settings and the deploy files: `check --deploy` is clean, secrets are required,
every setting is documented, and docker-compose.yml has the services the README promises."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# `env("NAME"`, `env.int("NAME"`, `env.db(\n    "NAME"` ... in config/settings.py.
ENV_READ = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
SECRET_NAMES = re.compile(r"(SECRET|PASSWORD|TOKEN|API_KEY|AUTH)")


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_"))
        and key not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    env.update(
        ALTAVOZ_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="altavoz.example.com",
        CSRF_TRUSTED_ORIGINS="https://altavoz.example.com",
        PUBLIC_BASE_URL="https://altavoz.example.com",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        ALTAVOZ_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_check_deploy_fails_on_a_development_configuration(tmp_path):
    # The same command does catch problems: DEBUG on and plain-HTTP cookies are reported.
    env = production_env(tmp_path, ALTAVOZ_ENV="development")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG is on


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY="too-short"), "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_allows_no_host_unless_told(tmp_path):
    env = production_env(tmp_path)
    del env["ALLOWED_HOSTS"]
    result = manage(
        env, "shell", "-c", "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def settings_env_names() -> set[str]:
    names = set(ENV_READ.findall((BASE_DIR / "config" / "settings.py").read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"} <= names
    return names


def test_every_setting_from_the_environment_is_in_env_example():
    example = (BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert settings_env_names() - listed == set()


def test_every_setting_from_the_environment_is_in_the_configuration_docs():
    docs = (BASE_DIR / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", docs))
    assert settings_env_names() - documented == set()


def test_env_example_holds_no_secrets():
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and SECRET_NAMES.search(match.group(1)):
            assert match.group(2) == "", f"{match.group(1)} has a value in .env.example"


def test_docker_compose_runs_web_worker_beat_postgres_and_redis():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)

    for name in ("migrate", "web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        assert service["env_file"] == ".env"
        assert service["environment"]["ALTAVOZ_ENV"] == "production"
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:6379")
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"

    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "deploy" not in services["beat"]  # exactly one beat, never replicated
    for name in ("web", "worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert {"postgres", "redis"} <= set(compose["volumes"])


def test_dockerfile_builds_a_locked_non_root_gunicorn_image():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, flags=re.MULTILINE)
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"^USER altavoz$", dockerfile, flags=re.MULTILINE)
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, flags=re.MULTILINE).group(1)
    assert yaml.safe_load(cmd)[:2] == ["gunicorn", "config.wsgi"]
    # The Makefile and the image bootstrap the same uv.
    uv_version = re.search(r"^UV_VERSION := (\S+)$", (BASE_DIR / "Makefile").read_text(), re.M)
    assert f"uv=={uv_version.group(1)}" in dockerfile
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)
