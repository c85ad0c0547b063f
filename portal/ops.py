"""The portal seen from the ops app: a creator's portal link to copy, and a read-only preview
of the portal as that creator. Ops pages (ops sign-in and permissions), not portal pages: no
portal session is started, and nothing is recorded as the creator's doing (no read receipts,
no progress, no preference change)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from channels.models import InboxMessage
from common.http import AuthenticatedHttpRequest
from creators.models import Creator
from creators.services import creator_portal_preview_record
from portal import services
from portal.forms import PreferencesForm

PREVIEW_PAGES = ("inbox", "preferences")


def creator_portal_section(request: HttpRequest, creator: Creator) -> str:
    """The creator page's "Portal" card: get and copy a portal link, preview the portal."""
    if not request.user.has_perm("creators.view_creator"):
        return ""
    return render_to_string("portal/ops_section.html", {"creator": creator}, request=request)


@require_POST
@login_required
@permission_required("creators.change_creator", raise_exception=True)
def creator_portal_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Make a signed portal link for the creator (audited) and show it with a copy button."""
    creator = get_object_or_404(Creator, pk=pk)
    link = services.creator_portal_link_make(creator=creator, actor=request.user)
    context = {"creator": creator, "link": link}
    if request.headers.get("HX-Request") == "true":
        return render(request, "portal/_ops_link.html", context)
    return render(request, "portal/ops_link.html", context)


@require_GET
@login_required
@permission_required("creators.view_creator", raise_exception=True)
def creator_portal_preview(request: AuthenticatedHttpRequest, pk: int, page: str) -> HttpResponse:
    """The portal's own page as the creator sees it, in their language, under a banner, inert."""
    if page not in PREVIEW_PAGES:
        raise Http404
    creator = get_object_or_404(Creator, pk=pk)
    creator_portal_preview_record(creator=creator, actor=request.user)
    context: dict[str, Any] = {"creator": creator, "preview": True, "preview_page": page}
    # The banner in the reader's language; the portal itself in the creator's.
    context["preview_banner"] = render_to_string(
        "portal/_ops_preview_banner.html", context, request=request
    )
    if page == "inbox":
        template = "portal/inbox.html"
        context["inbox"] = InboxMessage.objects.filter(creator=creator).order_by(
            F("read_at").asc(nulls_first=True), "-created_at", "-id"
        )[:100]
    else:
        template = "portal/preferences.html"
        context["form"] = PreferencesForm(creator=creator)
    with translation.override(creator.locale):
        return render(request, template, context)
