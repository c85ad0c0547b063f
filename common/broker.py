"""A filesystem broker (the no-Redis developer setup) that survives its folder going away.

kombu's filesystem transport lists its queue folder on every poll: a folder that is missing
for a moment (a disk hiccup, someone moving it) raised `FileNotFoundError` in the worker's
consumer, which Celery does not treat as a connection error, so the worker exited. Here a
missing folder is an empty queue: the worker keeps polling and picks up again when the
folder is back. Publishing into a missing folder still fails (kombu's `ChannelError`), and
the caller (campaigns.enqueue) leaves the work for the watchdog to enqueue again.
"""

from __future__ import annotations

from queue import Empty
from typing import Any

from kombu.transport import filesystem


class Channel(filesystem.Channel):
    def _get(self, queue: str, timeout: float | None = None) -> Any:
        # kombu's virtual channels take a timeout here; the filesystem one polls without it.
        try:
            return super()._get(queue)
        except FileNotFoundError:
            raise Empty() from None

    def _size(self, queue: str) -> int:
        try:
            return super()._size(queue)
        except FileNotFoundError:
            return 0

    def _purge(self, queue: str) -> int:
        try:
            return super()._purge(queue)
        except FileNotFoundError:
            return 0


class Transport(filesystem.Transport):
    Channel = Channel
