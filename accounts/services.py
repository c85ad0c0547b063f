import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import signin, tasks
from accounts.exceptions import (
    EmailInAgency,
    EmailTaken,
    InvitationInvalid,
    LastAdminRefused,
    RoleRefused,
    SelfChangeRefused,
    SigninPaused,
)
from accounts.models import ApiToken, Invitation, token_digest
from accounts.roles import OPS_ROLES, ROLE_LABELS, Role, user_role
from accounts.selectors import INVITATION_SALT, signin_address_is_known, signin_pause_get
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


# --- People: invitations, roles, deactivation (docs/roles.md, "People") ----------------------


def _role_set(*, user: User, role: str) -> None:
    """Give `user` exactly one role group; only admins keep the Django admin."""
    user.groups.remove(*Group.objects.filter(name__in=list(ROLE_LABELS)))
    user.groups.add(Group.objects.get(name=role))
    is_admin = role == Role.ADMIN
    if user.is_staff != is_admin or (user.is_superuser and not is_admin):
        user.is_staff = is_admin
        user.is_superuser = user.is_superuser and is_admin
        user.save(update_fields=["is_staff", "is_superuser"])


def _last_admin_check(*, user: User) -> None:
    """Refuse to take away the last active admin (superuser or `admin` role)."""
    if user_role(user) != Role.ADMIN:
        return
    others = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value))
        .exclude(pk=user.pk)
    )
    if not others.exists():
        raise LastAdminRefused()


def _self_check(*, actor: User | None, user: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise SelfChangeRefused()


def _invitation_issue(*, actor: User | None, user: User, role: str) -> str:
    """A new invitation for `user` (earlier pending ones are revoked); returns the link's
    path and emails the full link on commit, in the inviter's language."""
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at=None, revoked_at=None).update(revoked_at=now)
    nonce = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        user=user,
        role=role,
        invited_by=actor,
        nonce_digest=token_digest(nonce),
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
    )
    token = signing.dumps({"i": invitation.pk, "n": nonce}, salt=INVITATION_SALT)
    path = reverse("invitation-accept", args=[token])
    if user.email:
        inviter = actor.get_username() if actor is not None else "Altavoz"
        subject = _("You are invited to Altavoz")
        body = _(
            "%(inviter)s invited you to Altavoz as %(role)s.\n\n"
            "Open this link to choose your password and sign in (it works once, for "
            "%(days)d days):\n%(url)s\n\nYour username: %(username)s\n"
        ) % {
            "inviter": inviter,
            "role": ROLE_LABELS[role],
            "days": settings.INVITATION_DAYS,
            "url": settings.PUBLIC_BASE_URL + path,
            "username": user.get_username(),
        }
        to = user.email
        transaction.on_commit(
            lambda: tasks.invitation_email_send.delay(to=to, subject=subject, body=body)
        )
    return path


@transaction.atomic
def user_invite(
    *,
    actor: User | None,
    email: str,
    role: str,
    roles: tuple[str, ...] = tuple(OPS_ROLES),
) -> tuple[User, str]:
    """Invite `email` with `role` (one of `roles`): their user is made (or, if it was
    deactivated, reused) inactive with that role, and a single-use link to set a password
    is emailed. Returns the user and the link's path, to show to the inviter."""
    if role not in roles:
        raise RoleRefused()
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
    if user is not None and user.is_active:
        raise EmailTaken(email=email)
    if user is not None and user_role(user) == Role.AGENCY and role != Role.AGENCY:
        raise EmailInAgency(email=email)  # an agency's invited member
    if user is None:
        user = User.objects.create_user(username=email, email=email, is_active=False)
    _role_set(user=user, role=role)
    path = _invitation_issue(actor=actor, user=user, role=role)
    audit_record(
        actor=actor, action="user.invite", target=user, detail={"email": email, "role": role}
    )
    return user, path


@transaction.atomic
def user_invite_again(*, actor: User | None, user: User) -> str:
    """A new link for someone invited or deactivated (the earlier link stops working)."""
    if user.is_active:
        raise EmailTaken(email=user.email or user.get_username())
    role = user_role(user)
    if not role:
        raise RoleRefused()
    path = _invitation_issue(actor=actor, user=user, role=role)
    audit_record(actor=actor, action="user.invite", target=user, detail={"role": role})
    return path


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Set the invited person's password and activate them; the link is then used up."""
    locked = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if not locked.is_pending():
        raise InvitationInvalid()
    user = locked.user
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    audit_record(actor=user, action="user.accept", target=user, detail={"role": locked.role})
    return user


@transaction.atomic
def user_role_change(*, actor: User | None, user: User, role: str) -> User:
    """Give an ops user another ops role (not yourself, not away from the last admin)."""
    if role not in OPS_ROLES:
        raise RoleRefused()
    _self_check(actor=actor, user=user)
    previous = user_role(user)
    if previous == role:
        return user
    if role != Role.ADMIN:
        _last_admin_check(user=user)
    _role_set(user=user, role=role)
    Invitation.objects.filter(user=user, accepted_at=None, revoked_at=None).update(role=role)
    audit_record(
        actor=actor,
        action="user.role_change",
        target=user,
        detail={"previous_role": previous, "role": role},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Sign a person out of Altavoz for good: no sign-in, no API token, no pending link."""
    _self_check(actor=actor, user=user)
    _last_admin_check(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    Invitation.objects.filter(user=user, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    audit_record(actor=actor, action="user.deactivate", target=user)
    return user
