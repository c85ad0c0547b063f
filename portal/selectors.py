"""What the portal reads: the creator a creator-app token names."""

from __future__ import annotations

from creators.models import Creator
from portal.services import portal_link_revoked
from tracking.tokens import creator_app_token_read


def creator_for_app_token(*, token: str) -> Creator | None:
    """The creator the app's bearer token names, or None: forged, expired
    (CREATOR_APP_TOKEN_MAX_AGE), or made before the creator's portal access was revoked."""
    read = creator_app_token_read(token)
    if read is None:
        return None
    creator = Creator.objects.filter(pk=read.creator_id).first()
    if creator is None or portal_link_revoked(creator=creator, signed_at=read.signed_at):
        return None
    return creator
