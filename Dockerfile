# syntax=docker/dockerfile:1
# Altavoz production image: one image for web (gunicorn), worker and beat (celery).
# Build: docker compose build   (or: docker build -t altavoz .)

# --- build: resolve the locked dependencies, compile translations, collect static files ----
FROM python:3.11-slim AS build

ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
# The same uv the Makefile bootstraps, so the lock file means the same thing everywhere.
RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3.11

COPY . .
# Settings refuse to load in production without a SECRET_KEY; this one only lives in the
# build step (collectstatic writes the hashed manifest the production storage reads).
RUN /opt/venv/bin/python manage.py compilemessages --ignore=.venv -v0 \
    && ALTAVOZ_ENV=production \
       SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
       STATIC_ROOT=/app/staticfiles ALTAVOZ_VAR_DIR=/tmp/build-var \
       /opt/venv/bin/python manage.py collectstatic --noinput -v0

# --- runtime: the virtualenv and the app, run by an unprivileged user ------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    ALTAVOZ_ENV=production \
    ALTAVOZ_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system --gid 10001 altavoz \
    && useradd --system --uid 10001 --gid altavoz --home-dir /app --shell /usr/sbin/nologin altavoz

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
RUN mkdir -p /app/var/media && chown -R altavoz:altavoz /app/var

USER altavoz
EXPOSE 8000

# config/gunicorn.py: WEB_CONCURRENCY workers (default 2 x cores + 1), port 8000, a timeout
# with room for a large CSV import; GUNICORN_CMD_ARGS adds options (docs/configuration.md).
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.py"]
