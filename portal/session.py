"""The creator's portal session: separate from ops sign-in, under its own session keys."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from creators.models import Creator

CREATOR_KEY = "portal_creator_id"
STARTED_KEY = "portal_started_at"


def portal_session_start(request: HttpRequest, creator: Creator) -> None:
    """Sign the creator in to the portal. A new session key, so a session id planted before
    the link was opened is worthless."""
    if request.session.get(CREATOR_KEY) != creator.pk:
        request.session.cycle_key()
    request.session[CREATOR_KEY] = creator.pk
    request.session[STARTED_KEY] = timezone.now().timestamp()


def portal_session_end(request: HttpRequest) -> None:
    request.session.pop(CREATOR_KEY, None)
    request.session.pop(STARTED_KEY, None)


def portal_session_creator(request: HttpRequest) -> Creator | None:
    """The creator signed in to the portal, or None. A session started before the creator's
    links were revoked is ended."""
    creator_id = request.session.get(CREATOR_KEY)
    if creator_id is None:
        return None
    creator = Creator.objects.filter(pk=creator_id).first()
    started = request.session.get(STARTED_KEY, 0.0)
    if creator is None or (
        creator.portal_revoked_at is not None and started <= creator.portal_revoked_at.timestamp()
    ):
        portal_session_end(request)
        return None
    return creator
