"""Small SQL helpers shared by the apps' hot paths."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models.expressions import RawSQL


def ids_any(ids: Collection[int]) -> Collection[int] | RawSQL:
    """The right side of an `__in` lookup over many ids: one array parameter on PostgreSQL.

    `filter(id__in=[...])` puts a placeholder per id in the statement, and psycopg parses a
    client-side statement on every execution: at a thousand ids that parse cost more than
    the query."""
    return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
