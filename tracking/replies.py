"""What creators answered to a campaign's WhatsApp messages, for the stats.

Replies live in the conversations app, above tracking: it registers how to count them when
it loads (its AppConfig.ready()), so tracking never imports it. Without it nobody replied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReplyCounts:
    replied: int = 0  # WhatsApp deliveries answered (opt-out and opt-in keywords not counted)
    opted_out: int = 0  # WhatsApp deliveries answered with an opt-out keyword
    buttons: dict[str, int] = field(default_factory=dict)  # quick-reply presses per payload


_SOURCE: list[Callable[[int], ReplyCounts]] = []


def reply_source_register(source: Callable[[int], ReplyCounts]) -> None:
    _SOURCE[:] = [source]


def reply_counts_get(*, campaign_id: int) -> ReplyCounts:
    return _SOURCE[0](campaign_id) if _SOURCE else ReplyCounts()


# SQL of (delivery_id, replied_at) rows: each of a campaign's deliveries answered (keywords
# aside) with the time of its first answer, one `%s` parameter (the campaign id). Registered
# by conversations; without it, no delivery was answered.
NO_REPLY_TIMES_SQL = (
    "SELECT NULL::bigint AS delivery_id, NULL::timestamptz AS replied_at WHERE %s::bigint IS NULL"
)
_REPLY_TIMES: list[Callable[[], str]] = []


def reply_times_sql_register(source: Callable[[], str]) -> None:
    _REPLY_TIMES[:] = [source]


def reply_times_sql() -> str:
    return _REPLY_TIMES[0]() if _REPLY_TIMES else NO_REPLY_TIMES_SQL
