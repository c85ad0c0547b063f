"""Write-behind for the open pixel and click redirect (`TRACKING_WRITE_BEHIND=true`).

The endpoint answers after one RPUSH to Redis instead of a database transaction; the
`tracking.tasks.events_drain` task (every second from beat, and until the queue is empty)
records the queued hits with `tracking.services` exactly as the synchronous path would,
with the time and request facts captured when the hit arrived. Measured in
bench/tracking_endpoints.py: the synchronous path reached ~20-30% of a bare view's
throughput on a 2-core machine, the queued path close to the bare view.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import cast

import redis
from django.conf import settings

from tracking import services

logger = logging.getLogger(__name__)

QUEUE = "altavoz:tracking:hits"


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


def hits_drain(*, batch: int = 500, max_seconds: float = 5.0) -> int:
    """Record queued hits until the queue is empty (or the time is up); returns how many."""
    if not settings.REDIS_URL:
        return 0
    client = _client()
    done, deadline = 0, time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        # With a count, LPOP answers a list of the values it took, or None when the queue is
        # empty; redis-py types every LPOP answer alike.
        raw = cast("list[bytes] | None", client.lpop(QUEUE, batch))
        if not raw:
            break
        for item in raw:
            kind, delivery_id, link_id, method, agent, ip, at = json.loads(item)
            occurred_at = datetime.fromtimestamp(at, tz=UTC)
            if kind == "open":
                services.open_pixel_record(
                    delivery_id=delivery_id,
                    method=method,
                    user_agent=agent,
                    ip=ip,
                    occurred_at=occurred_at,
                )
            else:
                services.click_record(
                    delivery_id=delivery_id,
                    link_id=link_id,
                    method=method,
                    user_agent=agent,
                    ip=ip,
                    occurred_at=occurred_at,
                )
            done += 1
    return done
