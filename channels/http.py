"""What the HTTP adapters share: one pooled aiohttp session and how transport errors classify."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar, cast

import aiohttp
from django.conf import settings

from channels.base import Outcome, Outgoing, SendResult

T = TypeVar("T")
R = TypeVar("R")


def session_create() -> aiohttp.ClientSession:
    """A session whose connection pool is sized for the batch concurrency (aiohttp's default
    limit of 100 would cap throughput against a provider that answers in ~100 ms)."""
    connector = aiohttp.TCPConnector(
        limit=settings.CHANNEL_HTTP_CONNECTIONS,
        limit_per_host=settings.CHANNEL_HTTP_CONNECTIONS,
        keepalive_timeout=30,
    )
    timeout = aiohttp.ClientTimeout(
        total=None,
        connect=settings.CHANNEL_CONNECT_TIMEOUT,
        sock_connect=settings.CHANNEL_CONNECT_TIMEOUT,
        sock_read=settings.CHANNEL_READ_TIMEOUT,
    )
    # Providers' APIs set no cookies we need; a dummy jar skips cookie handling per request.
    return aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    )


def transport_failure(outgoing: Outgoing, error: BaseException) -> SendResult:
    """Classify an exception raised while talking to a provider.

    Errors before the request could have reached the provider (refused connection, connect
    timeout) are safe to retry. Errors after it was written (read timeout, the server
    hanging up mid-response) are UNKNOWN: the provider may have accepted the message.
    """
    name = type(error).__name__
    if isinstance(error, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        return SendResult(
            outgoing.delivery_id,
            Outcome.UNAVAILABLE,
            error_code=name,
            error_message=str(error)[:500],
        )
    if isinstance(error, asyncio.TimeoutError | aiohttp.ClientError | OSError):
        return SendResult(
            outgoing.delivery_id, Outcome.UNKNOWN, error_code=name, error_message=str(error)[:500]
        )
    raise error


async def gather_bounded(
    items: Sequence[T], send_one: Callable[[T], Awaitable[R]], limit: int
) -> list[R]:
    """Run `send_one` over `items` with at most `limit` in flight; results keep the input order.

    A fixed pool of `limit` workers pulling indexes, rather than one task per item behind a
    semaphore: asyncio.Semaphore's bookkeeping grows with its waiters, which made a batch of
    a thousand messages quadratic."""
    results: list[R | None] = [None] * len(items)
    indexes = iter(range(len(items)))

    async def worker() -> None:
        for index in indexes:
            results[index] = await send_one(items[index])

    await asyncio.gather(*(worker() for _ in range(min(limit, len(items)))))
    return cast("list[R]", results)  # every worker has filled its indexes by now
