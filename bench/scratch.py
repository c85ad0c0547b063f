"""A throwaway PostgreSQL database for a benchmark: made anew, migrated, dropped at the end.

    with scratch_django("altavoz_bench_fanout"):
        ...  # Django is set up on the new, migrated database

The server is DATABASE_URL's; the database is created and dropped through the server's
maintenance database (`postgres`), so DATABASE_URL may name any database on it, or none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/altavoz_test"


def database_url_for(url: str, database: str) -> str:
    """`url` with its database replaced by `database`."""
    return urlunparse(urlparse(url)._replace(path=f"/{database}"))


def server_url() -> str:
    """DATABASE_URL (or the local default); exits with status 2 if it is not PostgreSQL."""
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print(f"{_bench_name()} needs PostgreSQL: set DATABASE_URL", file=sys.stderr)
        raise SystemExit(2)
    return url


def scratch_name(suffix: str) -> str:
    """`<DATABASE_URL's database>_<suffix>`, starting with `altavoz` whatever that is."""
    name = (urlparse(server_url()).path.lstrip("/") or "altavoz") + suffix
    return name if name.startswith("altavoz") else "altavoz_" + name


def _bench_name() -> str:
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return spec.name if spec is not None else "this benchmark"


def _database_recreate(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _database_drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(name: str, *, keep: bool = False, reuse: bool = False) -> Iterator[str]:
    """Database `name` made anew (dropped first if it is left from an earlier run) on
    DATABASE_URL's server, or the one an earlier run kept when `reuse`; yields its URL and
    drops it at the end unless `keep`."""
    base_url = server_url()
    admin_url = database_url_for(base_url, "postgres")
    if not reuse:
        _database_recreate(admin_url, name)
    try:
        yield database_url_for(base_url, name)
    finally:
        if not keep:
            _database_drop(admin_url, name)


@contextmanager
def scratch_django(
    name: str,
    *,
    keep: bool = False,
    environ: Mapping[str, str] | None = None,
    reuse: bool = False,
) -> Iterator[str]:
    """`scratch_database(name)` with Django pointed at it (DATABASE_URL, after `environ`, which
    is put in os.environ first: settings read them at setup) and migrated. Yields its URL;
    Django's connection is closed before the database is dropped."""
    with scratch_database(name, keep=keep, reuse=reuse) as url:
        os.environ.update(environ or {})
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        try:
            call_command("migrate", verbosity=0)
            yield url
        finally:
            connection.close()
