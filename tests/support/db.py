"""A second PostgreSQL session beside the test's own: for what another process does meanwhile
(a concurrent insert, the server dropping a connection)."""

from __future__ import annotations

import psycopg
from django.db import connection


def other_session(*, autocommit: bool = False) -> psycopg.Connection:
    """A new psycopg connection to the test database, apart from Django's."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        autocommit=autocommit,
    )
