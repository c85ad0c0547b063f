"""Per-provider send rates that hold across every worker: a token bucket in Redis.

Each provider has a bucket refilled at `PROVIDER_RATE_LIMITS[provider]` tokens per second with
one second of burst. `take(n)` grants up to n tokens at once (atomically, in a Lua script using
Redis' own clock, so workers' clocks don't matter). Without Redis (the embedded demo on the
filesystem broker) the bucket is per process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator

import redis
from django.conf import settings

TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return granted
"""


class LocalBucket:
    def __init__(self, rate: float) -> None:
        self.rate, self.capacity = rate, max(1.0, rate)
        self.tokens, self.at = self.capacity, time.monotonic()
        self.lock = threading.Lock()

    def take(self, wanted: int) -> int:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
            self.at = now
            granted = min(wanted, int(self.tokens))
            self.tokens -= granted
            return granted


_local_buckets: dict[str, LocalBucket] = {}
_redis_client: redis.Redis | None = None


def _redis() -> redis.Redis | None:
    global _redis_client
    if not settings.REDIS_URL:
        return None
    if _redis_client is None:
        _redis_client = redis.Redis.from_url(settings.REDIS_URL)
    return _redis_client


class RateLimiter:
    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.rate = float(settings.PROVIDER_RATE_LIMITS.get(provider, 0))
        self._client = _redis()
        self._script = self._client.register_script(TAKE_SCRIPT) if self._client else None

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0

    def take(self, wanted: int) -> int:
        """Grant up to `wanted` sends now (possibly 0)."""
        if self.unlimited:
            return wanted
        if self._script is not None:
            key = f"altavoz:ratelimit:{self.provider}"
            return int(self._script(keys=[key], args=[self.rate, max(1.0, self.rate), wanted]))
        bucket = _local_buckets.setdefault(self.provider, LocalBucket(self.rate))
        return bucket.take(wanted)

    async def grants(self, wanted: int) -> AsyncIterator[int]:
        """Yield chunk sizes adding up to `wanted` as fast as the provider's rate allows."""
        remaining = wanted
        while remaining > 0:
            granted = (
                await asyncio.to_thread(self.take, remaining)
                if self._script
                else self.take(remaining)
            )
            if granted:
                remaining -= granted
                yield granted
            else:
                await asyncio.sleep(min(1.0, max(0.01, 1.0 / self.rate)))
