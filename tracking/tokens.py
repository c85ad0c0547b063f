"""Signed, compact tokens: each names what it is for, and when it was made.

Every purpose has its own salt, so a token made for one purpose fails the signature of every
other (an email's open-pixel token is no push-open token), and its own maximum age, a
setting checked on every read (docs/tracking.md, "Tokens"). A token is
`<value>:<made at, base 62>:<signature>`, the value being base-36 ids (`<delivery>.<link>`
for a click); a changed character fails the signature, so a tampered token is refused and no
token redirects anywhere Altavoz did not put.

Tokens made before tokens carried their time (`<value>:<signature>`, no timestamp) are read,
for clicks, the open pixel, push opens and unsubscribes only, while
`TOKENS_ACCEPT_UNTIMESTAMPED` is on; their `signed_at` is None, and nothing that signs a
creator in is ever made from one.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from common.exceptions import AltavozError


class TokenRefused(AltavozError):
    """A token that verifies but may not be used here (a push-open token of an email, say)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(_("This token cannot be used here.")))


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


@functools.lru_cache(maxsize=8)
def _stamp(seconds: int) -> str:
    """A token's time in base 62: the same for every token of one second (a dispatch batch
    signs thousands), so it is encoded once."""
    return signing.b62_encode(seconds)


@dataclass(frozen=True)
class Signed:
    value: str
    signed_at: float | None  # Unix time (whole seconds) it was made; None: untimestamped


class TokenExpired(signing.SignatureExpired):
    """An authentic token past its maximum age. `value` is what it carried: enough to say
    whose link it was (to answer in their language), never to let them in."""

    def __init__(self, message: str, *, value: str) -> None:
        super().__init__(message)
        self.value = value


class Purpose:
    """One kind of token: its salt, the setting that holds its maximum age in seconds, and
    the salt its untimestamped predecessor was signed with, if it had one."""

    def __init__(self, *, salt: str, max_age_setting: str, legacy_salt: str | None = None):
        self.salt, self.max_age_setting = salt, max_age_setting
        self._signer = signing.Signer(salt=salt)
        self._legacy = signing.Signer(salt=legacy_salt) if legacy_salt else None

    @property
    def max_age(self) -> int:
        return getattr(settings, self.max_age_setting)

    def sign(self, value: str, *, at: float | None = None) -> str:
        """`value` stamped with now, or with `at` (the time the message carrying it was made,
        so a token derived from an old message is as old as that message)."""
        stamp = _stamp(int(time.time() if at is None else at))
        return self._signer.sign(f"{value}{self._signer.sep}{stamp}")

    def unsign(self, token: str) -> Signed:
        """Raises signing.SignatureExpired when older than its maximum age, and
        signing.BadSignature when forged, mangled or made for another purpose."""
        try:
            signed = self._signer.unsign(token)
        except signing.BadSignature:
            signed = None
        if signed is not None and self._signer.sep in signed:
            value, stamp = signed.rsplit(self._signer.sep, 1)
            try:
                signed_at = float(signing.b62_decode(stamp))
            except ValueError as error:
                raise signing.BadSignature(str(error)) from error
            if time.time() - signed_at > self.max_age:
                raise TokenExpired(f"{self.salt}: older than {self.max_age} s", value=value)
            return Signed(value, signed_at)
        if self._legacy is not None and settings.TOKENS_ACCEPT_UNTIMESTAMPED:
            value = self._legacy.unsign(token)
            if self._legacy.sep not in value:
                return Signed(value, None)
        raise signing.BadSignature(f"{self.salt}: not a token of this purpose")

    def read(self, token: str) -> Signed | None:
        try:
            return self.unsign(token)
        except signing.BadSignature:  # SignatureExpired is a BadSignature too
            return None


CLICK = Purpose(
    salt="altavoz.tracking.click",
    max_age_setting="TRACKING_CLICK_TOKEN_MAX_AGE",
    legacy_salt="altavoz.tracking.click",
)
# The email open pixel and the push-open report used to share "altavoz.tracking.delivery".
OPEN_PIXEL = Purpose(
    salt="altavoz.tracking.open-pixel",
    max_age_setting="TRACKING_OPEN_TOKEN_MAX_AGE",
    legacy_salt="altavoz.tracking.delivery",
)
PUSH_OPEN = Purpose(
    salt="altavoz.tracking.push-open",
    max_age_setting="TRACKING_PUSH_TOKEN_MAX_AGE",
    legacy_salt="altavoz.tracking.delivery",
)
UNSUBSCRIBE = Purpose(
    salt="altavoz.unsubscribe",
    max_age_setting="UNSUBSCRIBE_TOKEN_MAX_AGE",
    legacy_salt="altavoz.unsubscribe",
)
# The untimestamped creator-app token never expired: it is not read any more.
CREATOR_APP = Purpose(salt="altavoz.creator.app", max_age_setting="CREATOR_APP_TOKEN_MAX_AGE")
PORTAL = Purpose(salt="altavoz.portal.magic", max_age_setting="PORTAL_LINK_MAX_AGE")


def _id(signed: Signed | None) -> int | None:
    try:
        return int(signed.value, 36) if signed is not None else None
    except ValueError:
        return None


# --- Click redirect ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClickToken:
    delivery_id: int
    link_id: int
    signed_at: float | None = None  # when the message was rendered (None: untimestamped)


def click_token_make(*, delivery_id: int, link_id: int) -> str:
    return CLICK.sign(f"{_b36(delivery_id)}.{_b36(link_id)}")


def click_token_read(token: str) -> ClickToken | None:
    signed = CLICK.read(token)
    if signed is None:
        return None
    try:
        delivery, link = signed.value.split(".")
        return ClickToken(int(delivery, 36), int(link, 36), signed.signed_at)
    except ValueError:
        return None


# --- Open pixel (email) and push-open report ---------------------------------------------------


def open_token_make(*, delivery_id: int) -> str:
    """The email open pixel's token (`/t/o/<token>.gif`)."""
    return OPEN_PIXEL.sign(_b36(delivery_id))


def open_token_read(token: str) -> int | None:
    return _id(OPEN_PIXEL.read(token))


def push_token_make(*, delivery_id: int) -> str:
    """The token a push carries in its data payload (`tracking_token`), for the app's
    `POST /api/track/push-open`."""
    return PUSH_OPEN.sign(_b36(delivery_id))


def push_token_read(token: str) -> int | None:
    """The delivery id, or None. An untimestamped token is the old shared delivery token: the
    caller must check the delivery is a push (`tracking.services.push_open_record` does)."""
    return _id(PUSH_OPEN.read(token))


# --- Unsubscribe -------------------------------------------------------------------------------


def unsubscribe_token_make(*, delivery_id: int) -> str:
    return UNSUBSCRIBE.sign(_b36(delivery_id))


@dataclass(frozen=True)
class UnsubscribeToken:
    delivery_id: int
    signed_at: float | None  # when the message was rendered (None: untimestamped)


def unsubscribe_token_read(token: str) -> UnsubscribeToken | None:
    signed = UNSUBSCRIBE.read(token)
    delivery_id = _id(signed)
    if signed is None or delivery_id is None:
        return None
    return UnsubscribeToken(delivery_id, signed.signed_at)


# --- Creator app -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatorAppToken:
    creator_id: int
    signed_at: float


def creator_app_token_make(*, creator_id: int, issued_at: float | None = None) -> str:
    """What the creator app sends as its bearer token to the inbox API (until issue 7's
    creator sign-in replaces it). Expires after CREATOR_APP_TOKEN_MAX_AGE; refused once the
    creator's portal access is revoked after it was made."""
    return CREATOR_APP.sign(_b36(creator_id), at=issued_at)


def creator_app_token_read(token: str) -> CreatorAppToken | None:
    signed = CREATOR_APP.read(token)
    creator_id = _id(signed)
    if signed is None or creator_id is None or signed.signed_at is None:
        return None
    return CreatorAppToken(creator_id, signed.signed_at)


# --- Portal magic link -------------------------------------------------------------------------


def portal_token_make(*, delivery_id: int, issued_at: float | None = None) -> str:
    """A magic link's token: names the delivery that carried it (so the creator, and the
    campaign that brought them) and when it was made. Read by `portal.services`.

    `issued_at` backdates it to when the message was made: a magic token derived from an
    old message's link (the unsubscribe page, a `learn()` click) is as old as that message,
    so it expires, and is revoked, like the message's own portal link."""
    return PORTAL.sign(_b36(delivery_id), at=issued_at)


@dataclass(frozen=True)
class PortalToken:
    delivery_id: int
    signed_at: float  # Unix time the token was made


def portal_token_expired_delivery_id(error: signing.SignatureExpired) -> int | None:
    """The delivery an expired portal token named (None if the error does not say)."""
    return _id(Signed(error.value, None)) if isinstance(error, TokenExpired) else None


def portal_token_read(token: str) -> PortalToken:
    """Raises signing.SignatureExpired (a TokenExpired) for a token older than
    PORTAL_LINK_MAX_AGE, signing.BadSignature for a forged or mangled one."""
    signed = PORTAL.unsign(token)
    delivery_id = _id(signed)
    if delivery_id is None or signed.signed_at is None:
        raise signing.BadSignature("portal token without a delivery")
    return PortalToken(delivery_id, signed.signed_at)
