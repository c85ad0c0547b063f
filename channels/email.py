"""Email: what every email provider's adapter shares.

One module per provider, as django-anymail has one per ESP, selected by `EMAIL_PROVIDER`
(channels/registry.py): `email_sendgrid.py` (SendGrid's v3 Mail Send API through its
official SDK) and `email_smtp.py` (Django's SMTP backend). Both send a batch on a pool of
threads (their clients block) and put on every marketing email `List-Unsubscribe` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

from django.conf import settings

from channels.base import Outgoing, SendResult


def unsubscribe_headers(item: Outgoing) -> dict[str, str]:
    if not item.unsubscribe_url:
        return {}
    return {
        "List-Unsubscribe": f"<{item.unsubscribe_post_url or item.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class ThreadedEmailAdapter:
    """An email provider's adapter: `chunks` splits a batch, `send_chunk` (blocking) sends one
    chunk on the pool's threads and returns one result per message."""

    code: ClassVar[str] = "email"
    provider: ClassVar[str]
    address_field: ClassVar[str] = "email"
    needs_device_tokens: ClassVar[bool] = False
    needs_unsubscribe_links: ClassVar[bool] = True

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=settings.EMAIL_THREADS, thread_name_prefix="email"
        )

    def chunks(self, outgoing: Sequence[Outgoing]) -> list[list[Outgoing]]:
        raise NotImplementedError

    def send_chunk(self, items: list[Outgoing]) -> list[SendResult]:
        raise NotImplementedError

    async def send_batch(self, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        loop = asyncio.get_running_loop()
        done = await asyncio.gather(
            *(
                loop.run_in_executor(self._pool, self.send_chunk, chunk)
                for chunk in self.chunks(outgoing)
                if chunk
            )
        )
        by_id = {result.delivery_id: result for results in done for result in results}
        return [by_id[item.delivery_id] for item in outgoing]

    async def close(self) -> None:
        self._pool.shutdown(wait=False)
