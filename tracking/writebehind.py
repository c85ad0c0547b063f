"""Write-behind for the open pixel and click redirect (`TRACKING_WRITE_BEHIND=true`).

The endpoint answers after one RPUSH to Redis instead of a database transaction; the
`tracking.tasks.events_drain` task (every second from beat, and until the queue is empty;
several may run at once) claims the queued hits a chunk at a time and records each chunk in
one transaction with `tracking.intake.hits_record`, with the same outcome as the
synchronous path (`tracking.services`) and the time and request facts captured when the
hit arrived. Measured in bench/tracking_endpoints.py and bench/intake_drain.py (docs/tracking.md,
"Write-behind drain").
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TypedDict, cast

import redis
from django.conf import settings
from django.utils import timezone

from tracking import intake, services
from tracking.models import DrainedChunk

logger = logging.getLogger(__name__)

QUEUE = "altavoz:tracking:hits"
# Chunks being recorded: one list per claim, and a sorted set of claims by claim time.
PROCESSING = "altavoz:tracking:hits:processing:"
CLAIMS = "altavoz:tracking:hits:claims"


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def hit_enqueue(
    *,
    kind: str,
    delivery_id: int,
    method: str,
    user_agent: str,
    ip: str,
    link_id: int | None = None,
) -> None:
    """Queue the hit; if Redis is unreachable, record it synchronously instead."""
    hit = [kind, delivery_id, link_id, method, user_agent[:300], ip, time.time()]
    try:
        _client().rpush(QUEUE, json.dumps(hit, separators=(",", ":")))
    except redis.RedisError:
        logger.warning("tracking queue unavailable: recording the %s synchronously", kind)
        facts: services.HitFacts = {
            "delivery_id": delivery_id,
            "method": method,
            "user_agent": user_agent,
            "ip": ip,
        }
        if kind == "open":
            services.open_pixel_record(**facts)
        else:
            assert link_id is not None, "a click names its link"
            services.click_record(link_id=link_id, **facts)


_CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return items
"""

# The oldest claim older than ARGV[1] (its drain died, or stalled past the claim time),
# taken over: its time is renewed so no other drain takes it too.
_TAKEOVER = """
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #stale == 0 then return false end
redis.call('ZADD', KEYS[1], ARGV[2], stale[1])
return {stale[1], redis.call('LRANGE', stale[1], 0, -1)}
"""


def _hit_parse(item: bytes) -> intake.Hit | None:
    try:
        kind, delivery_id, link_id, method, agent, ip, at = json.loads(item)
        return intake.Hit(
            kind=str(kind),
            delivery_id=int(delivery_id),
            link_id=None if link_id is None else int(link_id),
            method=str(method),
            user_agent=str(agent),
            ip=str(ip),
            occurred_at=datetime.fromtimestamp(float(at), tz=UTC),
        )
    except (ValueError, TypeError, OverflowError, OSError):
        logger.error("tracking queue: dropped a malformed hit %.200r", item)
        return None


def _chunk_record(client: redis.Redis, claim: str, raw: list[bytes]) -> None:
    hits = [hit for item in raw if (hit := _hit_parse(item)) is not None]
    intake.hits_record(hits=hits, claim=claim)
    with client.pipeline() as pipe:
        pipe.delete(claim)
        pipe.zrem(CLAIMS, claim)
        pipe.execute()


def hits_reclaim(*, older_than: float | None = None, limit: int = 100) -> int:
    """Record the chunks claimed more than `older_than` seconds ago (default
    TRACKING_DRAIN_CLAIM_SECONDS) and never released: their drain died or stalled. A chunk
    its drain did record (it died after committing) is only released. Returns the hits."""
    seconds = settings.TRACKING_DRAIN_CLAIM_SECONDS if older_than is None else older_than
    client = _client()
    done = 0
    for _ in range(limit):
        taken = client.eval(_TAKEOVER, 1, CLAIMS, time.time() - seconds, time.time())  # type: ignore[no-untyped-call]
        if not taken:
            break
        key, raw = taken
        logger.warning("tracking queue: took over a stalled chunk of %s hits", len(raw))
        _chunk_record(client, key.decode(), raw)
        done += len(raw)
    return done


def hits_drain(*, batch: int | None = None, max_seconds: float = 5.0) -> int:
    """Record queued hits, a chunk at a time, until the queue is empty (or the time is up);
    returns how many hits were taken.

    Several drains run in parallel safely: each claims a chunk by moving it atomically from
    the queue to a processing list of its own (noted with the time in CLAIMS), records it in
    one transaction (`tracking.intake.hits_record`, which also notes the claim in
    `DrainedChunk`) and only then deletes the list. A drain that dies leaves its list
    behind; after TRACKING_DRAIN_CLAIM_SECONDS the next drain takes it over and records it,
    unless `DrainedChunk` shows it committed before dying: every hit is recorded once."""
    if not settings.REDIS_URL:
        return 0
    batch = batch or settings.TRACKING_DRAIN_BATCH
    client = _client()
    done = hits_reclaim()
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        claim = f"{PROCESSING}{uuid.uuid4().hex}"
        raw = cast(
            "list[bytes]",
            client.eval(_CLAIM, 3, QUEUE, claim, CLAIMS, batch, time.time()),  # type: ignore[no-untyped-call]
        )
        if not raw:
            break
        _chunk_record(client, claim, raw)
        done += len(raw)
    DrainedChunk.objects.filter(recorded_at__lt=timezone.now() - timedelta(days=1)).delete()
    return done


class Backlog(TypedDict):
    queued: int
    processing: int
    claims: int
    oldest_age_seconds: float


def backlog_get() -> Backlog:
    """What waits to be recorded: hits queued, hits claimed by a drain, and how long the
    oldest of them has waited (0 when none)."""
    if not settings.REDIS_URL:
        return {"queued": 0, "processing": 0, "claims": 0, "oldest_age_seconds": 0.0}
    client = _client()
    claims = [key.decode() for key in cast("list[bytes]", client.zrange(CLAIMS, 0, -1))]
    with client.pipeline(transaction=False) as pipe:
        pipe.llen(QUEUE)
        pipe.lindex(QUEUE, 0)
        for key in claims:
            pipe.llen(key)
            pipe.lindex(key, 0)
        answers = pipe.execute()
    queued, heads = int(answers[0]), [answers[1]]
    processing = sum(int(n) for n in answers[2::2])
    heads += answers[3::2]
    times = [
        hit.occurred_at.timestamp()
        for head in heads
        if head is not None and (hit := _hit_parse(head)) is not None
    ]
    age = max(0.0, time.time() - min(times)) if times else 0.0
    return {
        "queued": queued,
        "processing": processing,
        "claims": len(claims),
        "oldest_age_seconds": round(age, 3),
    }
