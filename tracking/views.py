"""Open pixel and click redirect: the two public endpoints every message points at.

Both do one short transaction (see `tracking.services.event_record`) and answer. A token that
fails its signature gets 404 and writes nothing.
"""

from __future__ import annotations

import base64
import time
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from tracking import services, writebehind
from tracking.models import TrackedLink
from tracking.tokens import ClickToken, click_token_read, open_token_read, portal_token_make

PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_CACHE = "no-cache, no-store, must-revalidate, private, max-age=0"


def client_ip(request: HttpRequest) -> str:
    if settings.TRACKING_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "HEAD"])
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    delivery_id = open_token_read(token)
    if delivery_id is None:
        raise Http404
    facts: services.HitFacts = {
        "delivery_id": delivery_id,
        "method": request.method or "GET",
        "user_agent": request.headers.get("User-Agent", ""),
        "ip": client_ip(request),
    }
    if settings.TRACKING_WRITE_BEHIND:
        writebehind.hit_enqueue(kind="open", **facts)
    else:
        services.open_pixel_record(**facts)
    response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Cache-Control"] = NO_CACHE
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    return response


@lru_cache(maxsize=4096)
def tracked_link_url(link_id: int) -> str | None:
    """Stored links never change: each worker process keeps the ones it has served."""
    return TrackedLink.objects.filter(pk=link_id).values_list("url", flat=True).first()


@require_http_methods(["GET", "HEAD"])
def click_redirect(request: HttpRequest, token: str) -> HttpResponse:
    click = click_token_read(token)
    if click is None:
        raise Http404
    url = tracked_link_url(click.link_id)
    if url is None:
        raise Http404
    facts: services.ClickFacts = {
        "delivery_id": click.delivery_id,
        "link_id": click.link_id,
        "method": request.method or "GET",
        "user_agent": request.headers.get("User-Agent", ""),
        "ip": client_ip(request),
    }
    if settings.TRACKING_WRITE_BEHIND:
        writebehind.hit_enqueue(kind="click", **facts)
    else:
        services.click_record(**facts)
    response = HttpResponseRedirect(learn_url_sign(url, click=click))
    response["Cache-Control"] = NO_CACHE
    return response


def learn_url_sign(url: str, *, click: ClickToken) -> str:
    """A `learn('slug')` link lands signed in: the portal's lesson page gets a magic token
    for this delivery, which names the creator and the campaign that brought them. The token
    is dated when the message was made (the click token's time), not now, so it expires and
    is revoked like the message's own portal link (`portal.services.portal_link_open` checks
    both); none once that link has expired, nor for an untimestamped click token. Other
    links are left as they are."""
    if not url.startswith(f"{settings.PUBLIC_BASE_URL}/learn/"):
        return url
    made_at = click.signed_at
    if made_at is None or time.time() - made_at > settings.PORTAL_LINK_MAX_AGE:
        return url
    separator = "&" if "?" in url else "?"
    return (
        f"{url}{separator}t={portal_token_make(delivery_id=click.delivery_id, issued_at=made_at)}"
    )
