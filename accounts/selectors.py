from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import signin
from accounts.exceptions import InvitationInvalid
from accounts.models import Invitation, token_digest
from accounts.roles import ROLE_LABELS, Role, user_role
from accounts.signin import SigninPause

INVITATION_SALT = "accounts.invitation"


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


# --- People ------------------------------------------------------------------------------


def invitation_from_token(*, token: str) -> Invitation:
    """The pending invitation a link names; `InvitationInvalid` for a forged, expired,
    replaced or used one."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_DAYS * 24 * 3600
        )
        pk, nonce = int(payload["i"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvitationInvalid() from error
    invitation = Invitation.objects.select_related("user").filter(pk=pk).first()
    if (
        invitation is None
        or not constant_time_compare(invitation.nonce_digest, token_digest(nonce))
        or not invitation.is_pending()
    ):
        raise InvitationInvalid()
    return invitation


STATUS_LABELS: dict[str, Promise] = {
    "active": _("Active"),
    "invited": _("Invited"),
    "expired": _("Invitation expired"),
    "deactivated": _("Deactivated"),
}


@dataclass
class Person:
    """One row of the Team page or an agency's members: who, their role and status."""

    user: User
    role: str
    status: str

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, _("No role")))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def person_of(user: User) -> Person:
    """`user` as a Person; `user.invitations` should be prefetched (newest first)."""
    if user.is_active:
        status = "active"
    else:
        latest = next(iter(user.invitations.all()), None)
        if latest is not None and latest.accepted_at is None and latest.revoked_at is None:
            status = "invited" if latest.is_pending() else "expired"
        else:
            status = "deactivated"
    return Person(user=user, role=user_role(user), status=status)


def _people() -> QuerySet[User]:
    return User.objects.prefetch_related(
        "groups", Prefetch("invitations", queryset=Invitation.objects.order_by("-created_at"))
    )


def ops_users() -> QuerySet[User]:
    """Everyone but agencies' people (who are managed from their agency's page) and people
    with neither access nor role (an agency's former member)."""
    return (
        _people()
        .exclude(groups__name=Role.AGENCY.value)
        .filter(Q(is_active=True) | Q(groups__isnull=False))
        .distinct()
    )


def team_list() -> list[Person]:
    """The Team page: active people first, then invited, then deactivated, by name."""
    order = {"active": 0, "invited": 1, "expired": 1, "deactivated": 2}
    people = [person_of(user) for user in ops_users().order_by("username")]
    return sorted(people, key=lambda person: order[person.status])


def team_member_get(*, pk: int) -> User:
    """An ops user by id (404 for an agency's people or a missing id)."""
    return get_object_or_404(ops_users(), pk=pk)
