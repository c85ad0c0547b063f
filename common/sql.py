"""Small SQL helpers shared by the apps' hot paths."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.db import InterfaceError, OperationalError, connection
from django.db.models.expressions import RawSQL


def ids_any(ids: Collection[int]) -> Collection[int] | RawSQL:
    """The right side of an `__in` lookup over many ids: one array parameter on PostgreSQL.

    `filter(id__in=[...])` puts a placeholder per id in the statement, and psycopg parses a
    client-side statement on every execution: at a thousand ids that parse cost more than
    the query."""
    return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))


def idempotent_statement_run(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """Run one idempotent statement (an `INSERT … ON CONFLICT DO NOTHING RETURNING …`, say)
    and fetch its first row, without Django's per-request connection health check.

    With CONN_HEALTH_CHECKS on, Django sends `SELECT 1` before a request's first query; for a
    webhook whose whole database work is one statement, that doubles its round trips. Here a
    connection that turns out dead is closed and the statement runs once more on a new one,
    which is what the check would have done. Inside a transaction it runs as it is."""
    if not connection.in_atomic_block:
        connection.health_check_done = True  # type: ignore[attr-defined]  # not in django-stubs
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        except (OperationalError, InterfaceError):
            connection.close()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
