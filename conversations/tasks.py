"""Filing inbound messages off the request path (docs/conversations.md).

Publishing a Celery task costs about ten milliseconds, more than the rest of the webhook's
request, so the webhook does not queue one task per message: the first message of a burst
sets a short-lived flag in the shared cache and queues `inbound_webhooks_file`, which clears
the flag and then files everything stored. A message stored while the flag is set is filed by
that task (it was committed before the task's query, which runs after the flag is cleared);
one stored after finds the flag cleared and queues the next task. The flag expires on its
own if a task is lost; the beat sweep files whatever is left.
"""

from typing import Any

from celery import shared_task
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

FILING_FLAG = "altavoz:conversations:inbound-filing"
FILING_FLAG_SECONDS = 5

# (cache backend, its Redis client): Django's RedisCache makes a new redis.Redis, with its
# ~170 response callbacks, on every call; the webhook sets this flag on every request.
_flag_client: tuple[object, Any] | None = None


def _flag_add() -> bool:
    """`cache.add(FILING_FLAG, …)` through one Redis client per process (same key, value
    and expiry, so `cache.delete` clears it); other cache backends go through `cache.add`."""
    global _flag_client
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return cache.add(FILING_FLAG, 1, timeout=FILING_FLAG_SECONDS)
    if _flag_client is None or _flag_client[0] is not backend:
        _flag_client = (backend, backend._cache.get_client(write=True))
    key = backend.make_and_validate_key(FILING_FLAG)
    return bool(_flag_client[1].set(key, 1, nx=True, ex=FILING_FLAG_SECONDS))


def inbound_filing_schedule() -> None:
    """Make sure a filing task is on its way (at most one per burst)."""
    if _flag_add():
        inbound_webhooks_file.delay()


@shared_task(ignore_result=True)
def inbound_webhooks_file() -> int:
    """File every stored inbound message not filed yet."""
    from conversations import services

    cache.delete(FILING_FLAG)
    return services.inbound_webhooks_file(max_attempts=3)


@shared_task(ignore_result=True)
def inbound_webhooks_sweep() -> int:
    """File inbound messages left unfiled (a lost task, a worker killed mid-message)."""
    from datetime import timedelta

    from django.conf import settings

    from conversations import services

    seconds = settings.CONVERSATIONS_INBOUND_SWEEP_SECONDS
    return services.inbound_webhooks_sweep(older_than=timedelta(seconds=seconds))
