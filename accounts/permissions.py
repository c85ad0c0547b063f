"""The JSON API asks for the same permissions as the pages do (accounts/roles.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError


def api_permission_check(request: HttpRequest, *permissions: str) -> None:
    """Refuse an API operation with 403 unless the token's user has every permission.

    The first line of each operation, after the bearer token has set `request.user`."""
    if not request.user.has_perms(permissions):
        raise HttpError(403, _("Your role does not allow this."))
