"""The inbox and thread reads at 100,000 conversations and 1,000,000 messages.

    DATABASE_URL=postgres://…/altavoz_bench .venv/bin/python -m bench.conversations_inbox \\
        [--conversations 100000] [--messages 1000000]

Generates the rows in SQL (`conversations_generate`, reusable by the page benchmarks), then
times the selectors the inbox and thread pages use: the first page newest first, with each
filter, the unread count, and a thread with its campaign deliveries in place. Prints the
median of 20 reads of each (target for the pages: < 150 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from conversations import selectors  # noqa: E402
from conversations.models import Conversation  # noqa: E402

PREFIX = "bench_conv_"


def conversations_generate(*, conversations: int, messages: int) -> None:
    """`conversations` creators with a thread each and `messages` messages spread over them
    (newest threads busiest), idempotent by handle prefix."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM conversations_conversation WHERE creator_id IN "
            "(SELECT id FROM creators_creator WHERE handle LIKE %s)",
            [PREFIX + "%"],
        )
        cursor.execute(
            """
            INSERT INTO creators_creator (handle, name, email, phone, locale, timezone, state,
                market, level, followers, gmv_30d, category, content_type, tags, consent_email,
                consent_whatsapp, consent_push, consent_inbox, created_at, updated_at)
            SELECT %s || g, 'C', '', '+5255' || lpad(g::text, 8, '0'), 'es-MX', 'UTC', '', 'MX',
                0, 0, 0, '', 'video', '[]', 'granted', 'granted', 'granted', 'granted', now(),
                now()
            FROM generate_series(1, %s) g ON CONFLICT (handle) DO NOTHING
            """,
            [PREFIX, conversations],
        )
        cursor.execute(
            """
            INSERT INTO conversations_conversation (creator_id, phone, wa_id, profile_name,
                status, assignee_id, tags, unread_count, preview, last_message_at,
                last_inbound_at, created_at)
            SELECT c.id, c.phone, '', '', (ARRAY['open', 'waiting', 'closed'])[1 + c.id %% 3],
                NULL, CASE WHEN c.id %% 10 = 0 THEN ARRAY['muestra'] ELSE ARRAY[]::varchar[] END,
                c.id %% 4, 'hola', now() - (c.id %% 100000) * interval '1 minute',
                now() - (c.id %% 100000) * interval '1 minute', now()
            FROM creators_creator c WHERE c.handle LIKE %s
            """,
            [PREFIX + "%"],
        )
        cursor.execute(
            """
            INSERT INTO conversations_message (conversation_id, direction, body, media,
                location_label, location_address, button_payload, button_text, keyword,
                provider_sid, replied_to_sid, content_sid, variables, status, error_code, at,
                raw)
            SELECT v.id, CASE WHEN g %% 2 = 0 THEN 'in' ELSE 'out' END, 'mensaje ' || g, '[]',
                '', '', '', '', '', 'SMbench' || v.id || '_' || g, '', '', '{}', 'received', '',
                v.last_message_at - g * interval '1 minute', '{}'
            FROM (SELECT id, last_message_at, row_number() OVER (ORDER BY id) AS n
                  FROM conversations_conversation) v,
                 generate_series(1, %s) g
            """,
            [max(1, messages // max(1, conversations))],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE conversations_conversation")
        cursor.execute("ANALYZE conversations_message")


def _median_ms(read, repeat: int = 20) -> float:
    read()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        read()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    start = time.perf_counter()
    conversations_generate(conversations=args.conversations, messages=args.messages)
    print(
        f"{Conversation.objects.count():,} conversations, "
        f"generated in {time.perf_counter() - start:.1f} s"
    )
    busiest = Conversation.objects.order_by("-last_message_at").first()
    assert busiest is not None
    reads = {
        "inbox, first page": lambda: list(selectors.conversation_list()[:50]),
        "inbox, status=waiting": lambda: list(selectors.conversation_list(status="waiting")[:50]),
        "inbox, tag=muestra": lambda: list(selectors.conversation_list(tag="muestra")[:50]),
        "inbox, unassigned": lambda: list(selectors.conversation_list(unassigned=True)[:50]),
        "inbox count": lambda: selectors.conversation_list().count(),
        "unread badge": selectors.unread_total,
        "thread (200 lines)": lambda: selectors.thread_items(conversation=busiest),
    }
    for name, read in reads.items():
        print(f"  {name:24} {_median_ms(read):8.1f} ms")


if __name__ == "__main__":
    main()
