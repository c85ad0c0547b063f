import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone

from accounts import signin
from accounts.exceptions import SigninPaused
from accounts.models import ApiToken, token_digest
from accounts.selectors import signin_address_is_known, signin_pause_get
from accounts.signin import SigninPause
from audit.services import audit_record


def api_token_create(*, user: User) -> str:
    """Create a token for `user` and return the raw value (it is not stored)."""
    raw_token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(raw_token), prefix=raw_token[:8])
    return raw_token


def api_token_authenticate(*, raw_token: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw_token), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Sign-in throttling (docs/security.md, "Sign-in throttling") ---------------------------------------------


def _failure_count(key: str, *, window_seconds: int) -> int:
    """Add one to a counter that lives `window_seconds` from its first failure."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds)
        return 1


def _signin_audit(*, action: str, username: str, address: str, site: str, **detail: Any) -> None:
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    audit_record(
        actor=None,
        action=action,
        target_type="user",
        target_id=user.pk if user is not None else "",
        target_label=username,
        detail={"address": address, "site": site, **detail},
    )


def signin_failure_record(*, username: str, address: str, site: str) -> SigninPause | None:
    """Count a failed sign-in as `username` from `address` on `site` ("ops" or "admin") and
    audit it; when it reaches a limit, pause that scope and return the pause."""
    known = signin_address_is_known(username=username, address=address)
    limits = (
        (
            "account",
            signin.account_key(username=username, address=address, known=known),
            settings.SIGNIN_ACCOUNT_FAILURES,
        ),
        ("address", signin.address_key(address=address), settings.SIGNIN_ADDRESS_FAILURES),
    )
    now = timezone.now()
    pause_seconds = settings.SIGNIN_PAUSE_MINUTES * 60
    started: SigninPause | None = None
    _signin_audit(action="signin.fail", username=username, address=address, site=site)
    for scope, key, limit in limits:
        failures = _failure_count(
            signin.failures_key(key), window_seconds=settings.SIGNIN_WINDOW_MINUTES * 60
        )
        if failures < limit:
            continue
        pause = SigninPause(scope=scope, until=now + timedelta(seconds=pause_seconds))
        # The stored time decides; the key's lifetime only tidies up after it.
        cache.set(signin.pause_key(key), pause.until.timestamp(), timeout=pause_seconds + 60)
        cache.delete(signin.failures_key(key))
        _signin_audit(
            action="signin.pause",
            username=username,
            address=address,
            site=site,
            scope=scope,
            failures=failures,
            minutes=settings.SIGNIN_PAUSE_MINUTES,
        )
        if started is None or pause.until > started.until:
            started = pause
    return started


def signin_throttle_check(*, username: str, address: str, site: str) -> None:
    """Raise `SigninPaused` (and audit the refusal) when a sign-in as `username` from
    `address` must be refused now, before its password is checked."""
    pause = signin_pause_get(username=username, address=address)
    if pause is None:
        return
    _signin_audit(
        action="signin.refuse",
        username=username,
        address=address,
        site=site,
        scope=pause.scope,
        until=pause.until.isoformat(),
    )
    raise SigninPaused(minutes=pause.minutes_left(now=timezone.now()))


def signin_success_record(*, username: str, address: str) -> None:
    """Remember `address` as one `username` signs in from; its failures there start afresh
    (failures counted for the username elsewhere stay, so they keep pausing elsewhere)."""
    cache.set(
        signin.known_key(username=username, address=address),
        1,
        timeout=settings.SIGNIN_KNOWN_ADDRESS_DAYS * 24 * 3600,
    )
    cache.delete(
        signin.failures_key(signin.account_key(username=username, address=address, known=True))
    )
