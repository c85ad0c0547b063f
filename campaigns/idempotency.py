"""Idempotency-Key: the same key (per user and endpoint) gets the first answer again for 24 h.

The key is claimed by inserting its record, with `ON CONFLICT DO NOTHING`, in the same
transaction as the action. PostgreSQL makes a concurrent insert of the same key wait until
the first transaction ends: when it commits, the waiting request finds its record and
answers with it; when it rolls back (an unexpected error), the waiting request claims the
key and runs the action itself. Nobody ever sees a record without its answer, and no
request deletes another's record (only one that expired).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import IdempotencyRecord

IDEMPOTENCY_WINDOW = timedelta(hours=24)
# Status code of a record whose action is still running (only its own transaction sees it).
IN_PROGRESS = 0


def idempotent_call(
    *,
    user: User,
    endpoint: str,
    key: str,
    action: Callable[[], tuple[int, dict]],
    now: datetime | None = None,
) -> tuple[int, dict]:
    """Run `action` once per key, or answer with what it answered the first time.

    `action` returns (HTTP status, body); a 5xx answer is not kept (the next request with the
    key runs the action again), and an exception rolls everything back, record included."""
    key = key[:255]
    now = now or timezone.now()
    table = IdempotencyRecord._meta.db_table
    with transaction.atomic():
        # An expired record gives its key back. Only the expired row is deleted: a live one
        # (someone else's freshly committed answer) is never touched.
        IdempotencyRecord.objects.filter(
            user=user, endpoint=endpoint, key=key, created_at__lt=now - IDEMPOTENCY_WINDOW
        ).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (key, user_id, endpoint, status_code, body, created_at)
                VALUES (%s, %s, %s, %s, 'null'::jsonb, %s)
                ON CONFLICT ON CONSTRAINT idempotency_unique_key DO NOTHING
                RETURNING id
                """,
                [key, user.pk, endpoint, IN_PROGRESS, now],
            )
            claimed = cursor.fetchone()
        if claimed is None:
            # The key is taken and its transaction committed (the insert waited for it).
            previous = IdempotencyRecord.objects.get(user=user, endpoint=endpoint, key=key)
            return previous.status_code, previous.body
        status, body = action()
        record = IdempotencyRecord.objects.filter(pk=claimed[0])
        if status >= 500:
            record.delete()
        else:
            record.update(status_code=status, body=body)
    return status, body
