"""The creator portal: magic links, inbox, learning, preferences and unsubscribe.

Every page works on `request.portal_creator` (the session's creator, set by
`portal.middleware`); no view takes a creator id from the URL, and every object looked up
by id is looked up among that creator's own rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels.models import InboxMessage
from education import selectors as education_selectors
from education import services as education_services
from education.markup import body_render
from portal import services
from portal.exceptions import LinkRefused
from portal.forms import PreferencesForm
from portal.http import PortalHttpRequest
from portal.session import portal_session_end, portal_session_start
from tracking import services as tracking_services
from tracking.views import client_ip


def creator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The portal page needs a signed-in creator; without one, a page saying how to get in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if getattr(request, "portal_creator", None) is None:
            return render(request, "portal/signed_out.html", status=401)
        return view(request, *args, **kwargs)

    return wrapped


def _link_refused(request: HttpRequest, error: LinkRefused) -> HttpResponse:
    """The refusal page, in the language of the creator the link belonged to when it says
    (an expired or turned-off link), else the portal's default."""
    with translation.override(error.locale or translation.get_language()):
        response = render(
            request,
            "portal/link_refused.html",
            {"error": error, "reason": error.reason},
            status=403,
        )
        response["Content-Language"] = translation.get_language()
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/not_found.html", status=404)


def _enter(request: HttpRequest, token: str, then: str) -> HttpResponse:
    try:
        entry = services.portal_link_open(token=token)
    except LinkRefused as error:
        portal_session_end(request)
        return _link_refused(request, error)
    portal_session_start(request, entry.creator)
    return redirect(then)


@require_GET
def magic_link(request: HttpRequest, token: str) -> HttpResponse:
    """`portal_url()` in a message: sign in and land on the inbox."""
    return _enter(request, token, "portal-inbox")


@require_GET
def preferences_link(request: HttpRequest, token: str) -> HttpResponse:
    """`preferences_url()` in a message: sign in and land on the preference center."""
    return _enter(request, token, "portal-preferences")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    portal_session_end(request)
    return render(request, "portal/signed_out.html", {"signed_out": True})


@require_GET
@creator_required
def inbox(request: PortalHttpRequest) -> HttpResponse:
    creator = request.portal_creator
    messages = InboxMessage.objects.filter(creator=creator).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )[:100]  # unread first
    return render(request, "portal/inbox.html", {"creator": creator, "inbox": messages})


@require_GET
@creator_required
def inbox_message(request: PortalHttpRequest, pk: int) -> HttpResponse:
    message = InboxMessage.objects.filter(pk=pk, creator=request.portal_creator).first()
    if message is None:
        return _not_found(request)
    tracking_services.inbox_message_read(
        message=message, user_agent=request.headers.get("User-Agent", ""), ip=client_ip(request)
    )
    return render(request, "portal/inbox_message.html", {"message": message})


@require_GET
@creator_required
def library(request: PortalHttpRequest) -> HttpResponse:
    creator = request.portal_creator
    level = education_selectors.creator_level_for_library(creator)
    items = education_selectors.content_items_published(locale=creator.locale, level=level)
    progress = education_selectors.creator_progress_by_item(creator=creator)
    rows = [(item, item.version_for(creator.locale), progress.get(item.pk)) for item in items]
    recommended = [
        (item, item.version_for(creator.locale), progress.get(item.pk))
        for item in education_selectors.content_items_recommended(creator=creator)
    ]
    paths = [
        _path_summary(path, progress, creator.locale)
        for path in education_selectors.learning_paths_published(level=level)
    ]
    return render(
        request,
        "portal/library.html",
        {"rows": rows, "paths": paths, "recommended": recommended},
    )


def _path_summary(path, progress: dict, locale: str) -> dict:
    steps = list(path.steps.all())
    done = sum(1 for step in steps if (row := progress.get(step.item_id)) and row.completed_at)
    return {
        "path": path,
        "title": path.title_for(locale),
        "steps": steps,
        "done": done,
        "total": len(steps),
        "percent": done * 100 // len(steps) if steps else 0,
    }


@require_GET
@creator_required
def path_detail(request: PortalHttpRequest, slug: str) -> HttpResponse:
    creator = request.portal_creator
    path = education_selectors.learning_paths_published().filter(slug=slug).first()
    if path is None:
        return _not_found(request)
    progress = education_selectors.creator_progress_by_item(creator=creator)
    summary = _path_summary(path, progress, creator.locale)
    steps = [
        (step.item, step.item.version_for(creator.locale), progress.get(step.item_id))
        for step in summary["steps"]
    ]
    return render(request, "portal/path.html", {"summary": summary, "steps": steps})


@require_GET
def learn_item(request: HttpRequest, slug: str) -> HttpResponse:
    """A lesson. Reached from a message's `learn('slug')` link (the click redirect adds a
    magic token, `t`: sign in, record the visit with the delivery, and drop the token from
    the address) or from the library."""
    token = request.GET.get("t")
    if token:
        try:
            entry = services.portal_link_open(token=token)
        except LinkRefused as error:
            portal_session_end(request)
            return _link_refused(request, error)
        portal_session_start(request, entry.creator)
        item = education_selectors.content_item_published_get(slug=slug)
        if item is None:
            return _not_found(request)
        education_services.progress_visit_record(
            creator=entry.creator, item=item, delivery_id=entry.delivery_id
        )
        request.session["portal_visit_recorded"] = item.pk
        return redirect("portal-learn", slug=slug)
    creator = getattr(request, "portal_creator", None)
    if creator is None:
        return render(request, "portal/signed_out.html", status=401)
    item = education_selectors.content_item_published_get(slug=slug)
    if item is None:
        return _not_found(request)
    if request.session.pop("portal_visit_recorded", None) != item.pk:
        education_services.progress_visit_record(creator=creator, item=item)
    progress = education_selectors.creator_progress_by_item(creator=creator).get(item.pk)
    version = item.version_for(creator.locale)
    return render(
        request,
        "portal/learn_item.html",
        {
            "item": item,
            "version": version,
            "body": body_render(version.body if version else ""),
            "progress": progress,
        },
    )


@require_POST
@creator_required
def learn_progress(request: PortalHttpRequest, slug: str) -> HttpResponse:
    """The lesson page's script reports progress: `{"percent": 0-100}` (JSON or form)."""
    item = education_selectors.content_item_published_get(slug=slug)
    if item is None:
        return JsonResponse({"detail": "not found"}, status=404)
    try:
        if request.content_type == "application/json":
            percent = int(json.loads(request.body or b"{}").get("percent", 0))
        else:
            percent = int(request.POST.get("percent", 0))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"detail": "percent must be a number from 0 to 100"}, status=400)
    progress = education_services.progress_report(
        creator=request.portal_creator, item=item, percent=percent
    )
    return JsonResponse({"percent": progress.percent, "stage": progress.stage})


@require_http_methods(["GET", "POST"])
@creator_required
def preferences(request: PortalHttpRequest) -> HttpResponse:
    creator = request.portal_creator
    form = PreferencesForm(request.POST or None, creator=creator)
    saved = False
    if request.method == "POST" and form.is_valid():
        creator = services.creator_preferences_update(
            creator=creator,
            consents=form.consents(),
            locale=form.cleaned_data["locale"],
            quiet_hours_start=form.cleaned_data["quiet_hours_start"],
            quiet_hours_end=form.cleaned_data["quiet_hours_end"],
        )
        saved = True
        form = PreferencesForm(creator=creator)
    with translation.override(creator.locale):  # a language change shows at once
        response = render(
            request,
            "portal/preferences.html",
            {"form": form, "saved": saved, "creator": creator},
            status=400 if request.method == "POST" and not saved else 200,
        )
    response["Content-Language"] = creator.locale
    return response


ONE_CLICK = "One-Click"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """`unsubscribe_url()` and the `List-Unsubscribe` header.

    POST (RFC 8058 one-click, as mail providers send it: `List-Unsubscribe=One-Click`, no
    cookies, no CSRF token; or the button on this page) unsubscribes at once. GET only shows
    the page with that button, because link scanners fetch every link in an email."""
    link = services.unsubscribe_token_check(token=token)
    if link is None:
        return render(request, "portal/unsubscribe_invalid.html", status=404)
    delivery = link.delivery
    creator = delivery.creator
    done = False
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") != ONE_CLICK:
            return HttpResponse(_("Expected List-Unsubscribe=One-Click."), status=400)
        services.delivery_unsubscribe(
            delivery=delivery,
            user_agent=request.headers.get("User-Agent", ""),
            ip=client_ip(request),
        )
        done = True
    # No portal session here, and a link to the preference center only as strong as the
    # message's own: dated when the message was made, none once revoked or expired.
    preferences_token = services.portal_link_from_message(delivery=delivery, made_at=link.made_at)
    with translation.override(creator.locale):
        response = render(
            request,
            "portal/unsubscribe.html",
            {
                "done": done,
                "channel": delivery.get_channel_display(),
                "one_click": ONE_CLICK,
                "preferences_path": f"/me/preferences/{preferences_token}/"
                if preferences_token
                else "",
            },
        )
    response["Content-Language"] = creator.locale
    return response
