"""Sign-in throttling: the cache keys and the values the selector and services share.

Counters live in the default cache (Redis in production), so every web process sees them.
Usernames are hashed (lower-cased) into the keys; nothing typed into the form is stored there.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest

PREFIX = "signin"


@dataclass(frozen=True)
class SigninPause:
    """Sign-in is refused for `scope` ("account" or "address") until `until`."""

    scope: str
    until: datetime

    def minutes_left(self, *, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds() / 60))


def client_address(request: HttpRequest) -> str:
    """The address sign-in throttling counts: the proxy's last X-Forwarded-For entry (the
    address it saw, which a client cannot forge) when trusted, else the peer's."""
    if settings.SIGNIN_TRUST_X_FORWARDED_FOR:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _hash(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def known_key(*, username: str, address: str) -> str:
    return f"{PREFIX}:known:{_hash(username)}:{address}"


def account_key(*, username: str, address: str, known: bool) -> str:
    """Failures for a username; from an address it signed in from, counted for that address
    only, so failures elsewhere never pause the real user where they usually sign in."""
    if known:
        return f"{PREFIX}:account:{_hash(username)}:{address}"
    return f"{PREFIX}:account:{_hash(username)}"


def address_key(*, address: str) -> str:
    return f"{PREFIX}:address:{address}"


def failures_key(scope_key: str) -> str:
    return f"{scope_key}:failures"


def pause_key(scope_key: str) -> str:
    return f"{scope_key}:pause"
