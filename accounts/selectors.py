from __future__ import annotations

from datetime import UTC, datetime

from django.core.cache import cache
from django.utils import timezone

from accounts import signin
from accounts.signin import SigninPause


def signin_address_is_known(*, username: str, address: str) -> bool:
    """Whether `username` signed in from `address` within SIGNIN_KNOWN_ADDRESS_DAYS."""
    return bool(cache.get(signin.known_key(username=username, address=address)))


def signin_pause_get(*, username: str, address: str) -> SigninPause | None:
    """The pause that refuses a sign-in as `username` from `address` now, if any (the one
    that lasts longest when the account and the address are both paused)."""
    known = signin_address_is_known(username=username, address=address)
    scopes = {
        "account": signin.account_key(username=username, address=address, known=known),
        "address": signin.address_key(address=address),
    }
    stored = cache.get_many([signin.pause_key(key) for key in scopes.values()])
    now = timezone.now()
    pauses = [
        SigninPause(scope=scope, until=datetime.fromtimestamp(until, tz=UTC))
        for scope, key in scopes.items()
        if (until := stored.get(signin.pause_key(key))) is not None
        and datetime.fromtimestamp(until, tz=UTC) > now
    ]
    return max(pauses, key=lambda pause: pause.until, default=None)
