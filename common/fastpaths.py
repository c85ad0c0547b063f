"""Provider webhooks that skip the page middleware: sessions, locale, CSRF, auth, messages,
the portal, frame and CSP headers, and URL resolution do nothing for a signed machine-to-machine
POST, yet cost more than the rest of a fast webhook's request (docs/conversations.md).

A higher app registers an exact path and its view in AppConfig.ready():

    fast_path_register(path="/hooks/twilio/inbound", view=webhooks.twilio_inbound)

`FastPathMiddleware` (right after SecurityMiddleware) then answers that path itself: it checks
the host against ALLOWED_HOSTS (DisallowedHost answers 400) and the request text as
`RequestTextMiddleware` does (400 for a NUL or invalid UTF-8), and calls the view. Only
CSRF-exempt views may register: such a view must authenticate the request itself (a provider
signature), as the project's webhooks do.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from common.middleware import request_text_problem

View = Callable[[HttpRequest], HttpResponse]

_FAST_PATHS: dict[str, View] = {}


def fast_path_register(*, path: str, view: View) -> None:
    """Serve `path` (exact, with its leading slash) by `view` without the page middleware."""
    if not getattr(view, "csrf_exempt", False):
        raise ValueError(f"{path}: only a CSRF-exempt view that checks a signature may skip")
    _FAST_PATHS[path] = view


class FastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = _FAST_PATHS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
        problem = request_text_problem(request)
        if problem is not None:
            return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
        return view(request)
