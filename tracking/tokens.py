"""Signed, compact tokens for tracking URLs: they name a delivery (and a link) and nothing else.

A token is `<delivery base36>.<link base36>:<signature>`; a changed character fails the
signature, so a tampered token gets 404 and no token redirects anywhere Altavoz did not put.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

_CLICK = signing.Signer(salt="altavoz.tracking.click")
_DELIVERY = signing.Signer(salt="altavoz.tracking.delivery")
_UNSUBSCRIBE = signing.Signer(salt="altavoz.unsubscribe")


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


@dataclass(frozen=True)
class ClickToken:
    delivery_id: int
    link_id: int


def click_token_make(*, delivery_id: int, link_id: int) -> str:
    return _CLICK.sign(f"{_b36(delivery_id)}.{_b36(link_id)}")


def click_token_read(token: str) -> ClickToken | None:
    try:
        delivery, link = _CLICK.unsign(token).split(".")
        return ClickToken(int(delivery, 36), int(link, 36))
    except (signing.BadSignature, ValueError):
        return None


def delivery_token_make(*, delivery_id: int) -> str:
    """Names one delivery: the open pixel, push-open reports, the inbox."""
    return _DELIVERY.sign(_b36(delivery_id))


def delivery_token_read(token: str) -> int | None:
    try:
        return int(_DELIVERY.unsign(token), 36)
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_token_make(*, delivery_id: int) -> str:
    return _UNSUBSCRIBE.sign(_b36(delivery_id))


def unsubscribe_token_read(token: str) -> int | None:
    try:
        return int(_UNSUBSCRIBE.unsign(token), 36)
    except (signing.BadSignature, ValueError):
        return None


_CREATOR_APP = signing.Signer(salt="altavoz.creator.app")


def creator_app_token_make(*, creator_id: int) -> str:
    """What the creator app sends as its bearer token to the inbox API (until issue 7's
    creator sign-in replaces it)."""
    return _CREATOR_APP.sign(_b36(creator_id))


def creator_app_token_read(token: str) -> int | None:
    try:
        return int(_CREATOR_APP.unsign(token), 36)
    except (signing.BadSignature, ValueError):
        return None


_PORTAL = signing.TimestampSigner(salt="altavoz.portal.magic")


def portal_token_make(*, delivery_id: int) -> str:
    """A magic link's token: names the delivery that carried it (so the creator, and the
    campaign that brought them) and when it was made. Read by `portal.services`."""
    return _PORTAL.sign(_b36(delivery_id))


@dataclass(frozen=True)
class PortalToken:
    delivery_id: int
    signed_at: float  # Unix time the token was made


def portal_token_read(token: str, *, max_age: float) -> PortalToken:
    """Raises signing.SignatureExpired for an old token, signing.BadSignature for a forged
    or mangled one."""
    value = _PORTAL.unsign(token, max_age=max_age)
    try:
        signed_at = signing.b62_decode(token.rsplit(_PORTAL.sep, 2)[1])
        return PortalToken(int(value, 36), float(signed_at))
    except (ValueError, IndexError) as error:
        raise signing.BadSignature(str(error)) from error
