"""Ops conversation pages at 100,000 threads and 1,000,000 messages: server time of each page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.conversation_pages [--conversations 100000] [--runs 9] [--keep]

Works in its own database (`<name of DATABASE_URL's database>_bench_conversation_pages`,
dropped and made anew, dropped again at the end unless --keep): migrates it, fills creators
(the generator of bench/segment_count.py), one thread per creator with 10 messages each
(half in, half out; every 50th thread tagged, every 200th unread, statuses spread), VACUUM
ANALYZE, then times each page as a whole request through Django's test client (middleware,
session, permission checks, the nav badge, selectors and template rendering) signed in as
an editor. Baseline, in the same run: the page's main SQL sent straight through a cursor.
Median of --runs runs after a warm-up. Target (issue 18): every page under 150 ms.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.creator_pages import _medians_ms
from bench.scratch import scratch_django, scratch_name

TARGET_MS = 150.0
MESSAGES_PER_THREAD = 10

FILL_THREADS = """
INSERT INTO conversations_conversation (creator_id, phone, wa_id, profile_name, status, tags,
    unread_count, preview, last_message_at, last_inbound_at, created_at)
SELECT c.id, c.phone, '', '', (ARRAY['open', 'waiting', 'closed'])[1 + c.id % 3],
    CASE WHEN c.id % 50 = 0 THEN ARRAY['muestra'] ELSE ARRAY[]::varchar[] END,
    CASE WHEN c.id % 200 = 0 THEN 2 ELSE 0 END, 'Hola ' || c.id,
    now() - (c.id || ' minutes')::interval, now() - (c.id || ' minutes')::interval, now()
FROM creators_creator c
"""
FILL_MESSAGES = f"""
INSERT INTO conversations_message (conversation_id, direction, body, media, location_label,
    location_address, button_payload, button_text, keyword, replied_to_sid, content_sid,
    variables, status, error_code, at, raw)
SELECT v.id, CASE WHEN g % 2 = 0 THEN 'in' ELSE 'out' END, '¿Cómo me inscribo? ' || g, '[]',
    '', '', '', '', '', '', '', '{{}}', CASE WHEN g % 2 = 0 THEN 'received' ELSE 'delivered' END,
    '', v.last_message_at - ((10 - g) || ' minutes')::interval, '{{}}'
FROM conversations_conversation v, generate_series(1, {MESSAGES_PER_THREAD}) g
"""
INBOX_SQL = """SELECT * FROM conversations_conversation {where}
    ORDER BY last_message_at DESC, id DESC LIMIT 50 OFFSET {offset}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    bench_db = scratch_name("_bench_conversation_pages")
    with scratch_django(bench_db, keep=args.keep):
        return _run(args, bench_db)


def _run(args: argparse.Namespace, bench_db: str) -> int:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from bench.segment_count import _fill_sql
    from conversations.models import Conversation

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_fill_sql(args.conversations))
        cursor.execute(FILL_THREADS)
        cursor.execute(FILL_MESSAGES)
    loaded = time.perf_counter()
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    user = get_user_model().objects.create_user("bench-editor", password="x")
    user.groups.add(Group.objects.get(name="editor"))
    client = Client()
    client.force_login(user)
    threads = Conversation.objects.count()
    thread = Conversation.objects.order_by("-last_message_at", "-id")[500]
    print(
        f"{threads:,} conversations, {threads * MESSAGES_PER_THREAD:,} messages in "
        f"{bench_db}: generated in {loaded - started:.1f} s"
    )
    print(f"median of {args.runs} runs after a warm-up (ms)\n")
    print(f"{'page':<34}{'request':>10}{'raw SQL':>10}  ok")
    pages: list[tuple[str, str, dict[str, str], str]] = [
        ("inbox, first page", "/conversations/", {}, INBOX_SQL.format(where="", offset=0)),
        (
            "inbox, page 500",
            "/conversations/",
            {"page": "500"},
            INBOX_SQL.format(where="", offset=24_950),
        ),
        (
            "inbox by tag",
            "/conversations/",
            {"tag": "muestra"},
            INBOX_SQL.format(where="WHERE tags @> ARRAY['muestra']::varchar[]", offset=0),
        ),
        (
            "inbox by status",
            "/conversations/",
            {"status": "closed"},
            INBOX_SQL.format(where="WHERE status = 'closed'", offset=0),
        ),
        (
            "inbox, unread only",
            "/conversations/",
            {"unread": "on"},
            INBOX_SQL.format(where="WHERE unread_count > 0", offset=0),
        ),
        (
            "inbox, nobody's and open",
            "/conversations/",
            {"assignee": "none", "status": "open"},
            INBOX_SQL.format(where="WHERE assignee_id IS NULL AND status = 'open'", offset=0),
        ),
        (
            "thread (10 messages)",
            f"/conversations/{thread.pk}/",
            {},
            f"""SELECT * FROM conversations_message WHERE conversation_id = {thread.pk}
                ORDER BY at DESC, id DESC LIMIT 200""",
        ),
        (
            "thread lines (htmx poll)",
            f"/conversations/{thread.pk}/messages/",
            {},
            f"""SELECT * FROM conversations_message WHERE conversation_id = {thread.pk}
                ORDER BY at DESC, id DESC LIMIT 200""",
        ),
    ]
    failures = 0
    for name, path, query, sql in pages:

        def request(path: str = path, query: dict[str, str] = query) -> None:
            response = client.get(path, query)
            assert response.status_code == 200, (path, query, response.status_code)

        def raw(sql: str = sql) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                cursor.fetchall()

        request_ms, raw_ms = _medians_ms(request, raw, args.runs)
        ok = request_ms < TARGET_MS
        failures += not ok
        print(f"{name:<34}{request_ms:>10.1f}{raw_ms:>10.1f}  {'yes' if ok else 'NO'}")
    print(
        f"\ntarget: every page under {TARGET_MS:.0f} ms; {len(pages) - failures}/{len(pages)} met"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
