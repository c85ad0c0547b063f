"""The trigger inbox: recorded events waiting for the triggered campaigns, in a Redis list.

The events consumer (`triggers.triggers_route`) pushes the events some armed campaign listens
to and queues one drain task unless one is already queued; the drain takes them in batches of
up to `BATCH`, so under load many small recordings become a few large fan-outs instead of one
task (and one transaction on the campaign's row) each. A batch is moved, atomically, to a
claim list of its own while it is processed and deleted once its matches are committed; a
drain that dies leaves its claim, which `inbox_recover` (each drain's start, and beat) puts
back after `CLAIM_STALE_SECONDS`. Processing is idempotent (one TriggerMatch per campaign and
event), so a batch processed twice sends nothing twice. Without Redis (the demo's filesystem
broker), `inbox_push` says so and the consumer queues the events in the task itself.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

INBOX = "altavoz:triggers:inbox"
CLAIMS = "altavoz:triggers:claims"  # sorted set: claim list key → when it was claimed
CLAIM_PREFIX = "altavoz:triggers:claim:"
BATCH = 2000
CLAIM_STALE_SECONDS = 300

# Move up to ARGV[1] events from the inbox to a claim list, recorded with its time.
_CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return items
"""
# Put a claim list's events back at the head of the inbox and forget the claim.
_RETURN = """
local items = redis.call('LRANGE', KEYS[2], 0, -1)
for index = #items, 1, -1 do redis.call('LPUSH', KEYS[1], items[index]) end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], KEYS[2])
return #items
"""


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def inbox_push(events: list[dict[str, Any]]) -> bool:
    """Queue the events for the drain; False if there is no Redis to queue them in."""
    if not settings.REDIS_URL:
        return False
    try:
        _client().rpush(INBOX, *(json.dumps(event, separators=(",", ":")) for event in events))
    except redis.RedisError:
        logger.warning("trigger inbox unavailable: the events go in the routing task itself")
        return False
    return True


def inbox_claim(*, limit: int = BATCH) -> tuple[str, list[dict[str, Any]]]:
    """Take up to `limit` events: the claim's key (for `inbox_release`) and the events."""
    key = f"{CLAIM_PREFIX}{uuid.uuid4().hex}"
    items = _client().eval(_CLAIM, 3, INBOX, key, CLAIMS, limit, time.time())
    return key, [json.loads(item) for item in items]


def inbox_release(key: str) -> None:
    """The claim's events are processed (committed): forget them."""
    client = _client()
    client.delete(key)
    client.zrem(CLAIMS, key)


def inbox_return(key: str) -> None:
    """Processing the claim failed: its events go back to the head of the inbox."""
    _client().eval(_RETURN, 3, INBOX, key, CLAIMS)


def inbox_recover(*, older_than: float = CLAIM_STALE_SECONDS) -> int:
    """Put back the events of claims a dead drain left; returns how many."""
    client = _client()
    returned = 0
    stale: Any = client.zrangebyscore(CLAIMS, 0, time.time() - older_than)
    for key in stale:
        returned += int(client.eval(_RETURN, 3, INBOX, key, CLAIMS))
    if returned:
        logger.warning("trigger inbox: %s events of stale claims queued again", returned)
    return returned


def inbox_size() -> int:
    return int(_client().llen(INBOX)) if settings.REDIS_URL else 0
