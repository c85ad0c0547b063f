"""A handle another session adds while an import runs: the import's plain INSERT of the creators
it did not find meets a unique violation, and the chunk is merged again as an upsert. Nothing
is lost and nothing fails: the other session's creator is updated from the file."""

from __future__ import annotations

import io
import threading
import time

import psycopg
import pytest
from django.db import connection

from creators.import_result import CreatorImportResult
from creators.importer import creator_import_csv
from creators.models import ConsentChange, Creator
from tests.creators.csvfiles import creator_row, csv_bytes
from tests.support.db import other_session

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_a_backend_blocked_on(other: psycopg.Connection) -> None:
    """Until some backend waits for the other session's transaction (the importer's INSERT)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with other_session() as probe:
            blocked = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                [other.info.backend_pid],
            ).fetchone()
        if blocked and blocked[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the import never waited for the other session's insert")


def test_a_handle_added_meanwhile_is_upserted_not_failed() -> None:
    rows: list[dict[str, str] | bytes] = [
        creator_row(f"user_{n}", name=f"From file {n}") for n in range(6)
    ]
    other = other_session()
    # Not committed yet: the import's lookup cannot see it, and its INSERT waits for it.
    other.execute(
        "INSERT INTO creators_creator (handle, name, email, phone, locale, timezone, state, "
        "market, level, followers, gmv_30d, category, content_type, tags, consent_email, "
        "consent_whatsapp, consent_push, consent_inbox, created_at, updated_at) VALUES "
        "('user_3', 'Added by hand', '', '', 'es-MX', 'America/Mexico_City', '', 'MX', 0, 0, "
        "0, '', 'video', '[]', 'unknown', 'unknown', 'unknown', 'granted', now(), now())"
    )
    outcome: dict[str, CreatorImportResult] = {}

    def run_import() -> None:
        try:
            outcome["result"] = creator_import_csv(file=io.BytesIO(csv_bytes(rows)))
        finally:
            connection.close()

    importer = threading.Thread(target=run_import)
    importer.start()
    try:
        _wait_for_a_backend_blocked_on(other)
        other.commit()
    finally:
        importer.join(timeout=60)
        other.close()

    result = outcome["result"]
    assert (result.created, result.updated, result.rejected) == (5, 1, 0)
    assert result.errors == []
    assert Creator.objects.get(handle="user_3").name == "From file 3"
    assert Creator.objects.count() == 6
    # The consents the file gives (email granted, WhatsApp denied) are history for all six:
    # the five it created and the one whose unknown consents it changed.
    assert ConsentChange.objects.filter(source="import").count() == 12
