"""What the HTTP adapters share: one pooled aiohttp session, and how a provider's answer
(`answer_classify`) and a transport error (`transport_failure`) become an outcome.

The policy, written once: a 2xx is `ACCEPTED`; an error code the provider documents as
permanent for this recipient is `REJECTED` whatever the status; otherwise 429 and 5xx are
`UNAVAILABLE` (the provider did not take it: retry, after its Retry-After when it gives one)
and any other status is `REJECTED`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import aiohttp
from django.conf import settings

from channels.base import Outcome, Outgoing, SendResult, error_text, retry_after_seconds

logger = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """What a provider answered one request: its HTTP status, its own error code (from the
    body, when it has one), its Retry-After and its body (kept for the error message)."""

    provider: str
    status: int
    code: str = ""
    retry_after: float | None = None
    body: str = ""

    @classmethod
    def from_http(
        cls,
        provider: str,
        status: int,
        *,
        code: object = "",
        retry_after_header: str | None = None,
        body: object = "",
    ) -> ProviderAnswer:
        return cls(
            provider,
            status,
            code=str(code or ""),
            retry_after=retry_after_seconds(retry_after_header),
            body=error_text(body),
        )


def is_busy(status: int) -> bool:
    """429 or 5xx: the provider did not take the request and may take it later."""
    return status == 429 or status >= 500


def answer_classify(
    delivery_id: int,
    answer: ProviderAnswer,
    *,
    provider_message_id: str = "",
    permanent_codes: Collection[str] = frozenset(),
) -> SendResult:
    """The outcome of one message from its provider's answer (the policy in the docstring
    at the top). `permanent_codes` are the provider's error codes that never succeed on a
    retry for this recipient, whatever status they come with."""
    if 200 <= answer.status < 300:
        return SendResult(delivery_id, Outcome.ACCEPTED, provider_message_id=provider_message_id)
    error_code = answer.code or f"http_{answer.status}"
    if answer.code not in permanent_codes and is_busy(answer.status):
        logger.warning(
            "%s busy: status=%s code=%s body=%s",
            answer.provider,
            answer.status,
            answer.code,
            answer.body[:200],
        )
        return SendResult(
            delivery_id,
            Outcome.UNAVAILABLE,
            error_code=error_code,
            error_message=answer.body,
            retry_after=answer.retry_after,
        )
    return SendResult(
        delivery_id, Outcome.REJECTED, error_code=error_code, error_message=answer.body
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
