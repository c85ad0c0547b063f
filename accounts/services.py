import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from accounts.models import ApiToken, token_digest


def api_token_create(*, user: AbstractBaseUser) -> str:
    """Create a token for `user` and return the raw value (it is not stored)."""
    raw_token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(raw_token), prefix=raw_token[:8])
    return raw_token


def api_token_authenticate(*, raw_token: str) -> AbstractBaseUser | None:
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
