"""The portal's request type: `portal.middleware` sets `portal_creator` on every portal request."""

from __future__ import annotations

from django.http import HttpRequest

from creators.models import Creator


class PortalHttpRequest(HttpRequest):
    """A portal request behind `creator_required`: a creator is signed in."""

    portal_creator: Creator
