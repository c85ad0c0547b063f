"""Refuse request text that cannot be stored or compared: one place for every HTML view.

Django decodes query strings and form bodies with `errors="replace"`, so invalid UTF-8 and
UTF-8-encoded lone surrogates (`%ED%A0%80`) reach views as U+FFFD, and a NUL (`%00`) reaches
them as is; PostgreSQL refuses NUL in text, so a view that filters or saves such a value
answers 500. Checking every view for it would be forgotten in the next view; this middleware
answers 400 before any view runs when a query or form key or value holds a NUL, or when the
raw query string or urlencoded body is not valid UTF-8. Values that are well-formed text but
wrong for a field (`?segment=abc`) are the view's or form's job (see common/inputs.py).

The JSON API (`/api/`) is left to its own validation, which answers in JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

SKIPPED_PREFIXES = ("/api/",)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_utf8(raw: bytes, *, plus_is_space: bool = False) -> bool:
    """Whether percent-encoded bytes decode to valid UTF-8 (no lone surrogates)."""
    if plus_is_space:
        raw = raw.replace(b"+", b" ")
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _wsgi_bytes(text: str) -> bytes:
    """The bytes behind a WSGI string (PEP 3333: latin-1); other strings as UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _has_nul(data: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    )


def request_text_problem(request: HttpRequest) -> str | None:
    """Why the request's query or form text cannot be used, or None if it can."""
    query = request.META.get("QUERY_STRING", "")
    if query:
        if not _is_utf8(_wsgi_bytes(query)):
            return _("The address holds text that is not valid UTF-8.")
        if _has_nul(request.GET):
            return _("The address holds a NUL character.")
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        if request.content_type == "application/x-www-form-urlencoded":
            if not _is_utf8(request.body, plus_is_space=True):
                return _("The form holds text that is not valid UTF-8.")
        try:
            form = request.POST
        except MultiPartParserError:
            return _("The form could not be read.")
        if _has_nul(form):
            return _("The form holds a NUL character.")
    return None


class RequestTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(SKIPPED_PREFIXES):
            problem = request_text_problem(request)
            if problem is not None:
                return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
