"""Portal responses: the creator's language, a strict Content-Security-Policy, no caching."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from portal.session import portal_session_creator

PORTAL_PREFIXES = ("/p/", "/me/", "/learn/", "/u/")

# No inline script or style, nothing from elsewhere except the video files a lesson plays.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' https:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def is_portal_path(path: str) -> bool:
    return path.startswith(PORTAL_PREFIXES)


class PortalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_portal_path(request.path_info):
            return self.get_response(request)
        creator = portal_session_creator(request)
        request.portal_creator = creator  # type: ignore[attr-defined]
        # es-MX unless the signed-in creator reads another language; never the browser's guess.
        language = creator.locale if creator is not None else settings.LANGUAGE_CODE
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        # Never leak a URL with a token to another site. Not "no-referrer": browsers then send
        # `Origin: null` on the portal's own form posts, which CSRF protection refuses.
        response["Referrer-Policy"] = "same-origin"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response.setdefault("Content-Language", language)
        return response
