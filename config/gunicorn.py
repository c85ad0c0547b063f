"""gunicorn's settings for the web container (the Dockerfile's CMD: `gunicorn config.wsgi
--config config/gunicorn.py`); command-line options win over these.

Sync workers, `WEB_CONCURRENCY` of them, by default 2 × cores + 1 (gunicorn's own advice):
a request that waits on PostgreSQL (a webhook's durable commit, a page's queries) leaves its
core to another worker. The timeout leaves room for a large CSV import posted to the API.
"""

from __future__ import annotations

import multiprocessing
import os


def workers_default() -> int:
    """WEB_CONCURRENCY, else 2 × cores + 1."""
    return int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = workers_default()
timeout = 120
accesslog = "-"
