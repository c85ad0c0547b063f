"""Callbacks a higher app registers to hear of consent changes, without creators importing it.

`consent_change_register(callback)` in an AppConfig.ready(); `creator_consent_set` calls each
callback, in its transaction, with the creator, channel, new status and source whenever a
channel's consent actually changes. events registers the `unsubscribed` event here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from creators.models import Creator

ConsentChangeCallback = Callable[..., None]
_CALLBACKS: list[ConsentChangeCallback] = []


def consent_change_register(callback: ConsentChangeCallback) -> None:
    if callback not in _CALLBACKS:
        _CALLBACKS.append(callback)


def consent_changed(*, creator: Creator, channel: str, status: str, source: str) -> None:
    for callback in list(_CALLBACKS):
        callback(creator=creator, channel=channel, status=status, source=source)
