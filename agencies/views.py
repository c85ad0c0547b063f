"""Agency portal, shared deliverable pages and the ops side of agency work.

Every object is loaded through a selector scoped to the user (`agencies.selectors`), so an
id from another agency is a 404; every page also needs a permission, so a user without it
gets a 403 whatever the id.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.views import invitation_link_pop, invitation_link_remember
from agencies import selectors, services
from agencies.diff import text_diff
from agencies.forms import (
    AgencyForm,
    BriefForm,
    CommentForm,
    DeliverableForm,
    MemberInviteForm,
    ReviewForm,
    TrackingFilterForm,
    VersionForm,
)
from agencies.models import Deliverable, DeliverableVersion
from agencies.scorecard import agency_scorecards_list
from agencies.uploads import content_type_of
from common.exceptions import AltavozError
from common.http import AuthenticatedHttpRequest
from common.inputs import digits_int

PORTAL = selectors.PORTAL
OPS_VIEW = selectors.OPS_VIEW
VIEW_BRIEF = "agencies.view_brief"
ADD_BRIEF = "agencies.add_brief"
ADD_DELIVERABLE = "agencies.add_deliverable"
REVIEW = "agencies.review_deliverable"
ADD_AGENCY = "agencies.add_agency"
CHANGE_AGENCY = "agencies.change_agency"


def _needs(permission: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


def _portal_or(ops_permission: str) -> Callable:
    """Pages both sides use: agency people, or ops with `ops_permission`. Which objects a
    user reaches is up to the scoped selectors."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args, **kwargs) -> HttpResponse:
            if not (request.user.has_perm(PORTAL) or request.user.has_perm(ops_permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


_portal_or_ops = _portal_or(OPS_VIEW)  # read
_portal_or_reviewer = _portal_or(REVIEW)  # take part in the review (comments)


# --- Agency portal ----------------------------------------------------------------------


@require_GET
@_needs(PORTAL)
def agency_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "agencies/agency_home.html",
        {
            "agency": selectors.agency_of(request.user),
            "briefs": selectors.briefs_visible_to(user=request.user).prefetch_related(
                "deliverables"
            ),
        },
    )


@require_GET
@_needs(PORTAL)
def agency_brief(request: AuthenticatedHttpRequest, brief_pk: int) -> HttpResponse:
    brief = selectors.brief_get(pk=brief_pk, user=request.user)
    return render(request, "agencies/brief_detail.html", {"brief": brief, "portal": True})


@require_POST
@_needs(PORTAL)
def deliverable_start(request: AuthenticatedHttpRequest, deliverable_pk: int) -> HttpResponse:
    deliverable = selectors.deliverable_get(pk=deliverable_pk, user=request.user)
    try:
        services.deliverable_start(deliverable=deliverable, actor=request.user)
    except AltavozError as error:
        messages.error(request, str(error))
    return redirect("deliverable-detail", deliverable.pk)


@require_POST
@_needs(PORTAL)
def deliverable_submit(request: AuthenticatedHttpRequest, deliverable_pk: int) -> HttpResponse:
    deliverable = selectors.deliverable_get(pk=deliverable_pk, user=request.user)
    form = VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _deliverable_page(request, deliverable, version_form=form, status=400)
    try:
        services.version_submit(deliverable=deliverable, actor=request.user, **form.cleaned_data)
    except AltavozError as error:
        form.add_error(None, str(error))
        return _deliverable_page(request, deliverable, version_form=form, status=400)
    return redirect("deliverable-detail", deliverable.pk)


# --- Both sides -------------------------------------------------------------------------


def _deliverable_page(
    request: AuthenticatedHttpRequest,
    deliverable: Deliverable,
    *,
    version_form: VersionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = list(deliverable.versions.select_related("created_by"))
    selected = versions[-1] if versions else None
    chosen = request.GET.get("v", "")
    for version in versions:
        if chosen.isdigit() and version.pk == int(chosen):
            selected = version
    user = request.user
    is_member = services._is_member(user, deliverable.brief.agency_id)
    is_reviewer = user.has_perm(REVIEW)
    checklist = list(deliverable.brief.checklist.all())
    can_review = bool(
        is_reviewer
        and selected is not None
        and selected is versions[-1]
        and deliverable.status == Deliverable.Status.SUBMITTED
    )
    context = {
        "deliverable": deliverable,
        "brief": deliverable.brief,
        "versions": versions,
        "selected": selected,
        "lines": list(enumerate(selected.text.splitlines(), start=1)) if selected else [],
        "threads": selectors.comments_threads(version=selected) if selected else [],
        "transitions": deliverable.transitions.select_related("actor"),
        "checklist": checklist,
        "reviews": selected.reviews.prefetch_related("checked_items") if selected else [],
        "can_submit": is_member
        and deliverable.status
        in (
            Deliverable.Status.BRIEFED,
            Deliverable.Status.IN_PROGRESS,
            Deliverable.Status.CHANGES_REQUESTED,
        ),
        "can_start": is_member and deliverable.status == Deliverable.Status.BRIEFED,
        "can_review": can_review,
        "can_comment": is_member or is_reviewer,
        "can_deliver": is_reviewer and deliverable.status == Deliverable.Status.APPROVED,
        "can_make_education": is_reviewer
        and request.user.has_perm("education.add_contentitem")
        and deliverable.kind in services.EDUCATION_KINDS
        and deliverable.status in (Deliverable.Status.APPROVED, Deliverable.Status.DELIVERED),
        "version_form": version_form or VersionForm(),
        "review_form": ReviewForm(checklist=checklist),
        "comment_form": CommentForm(),
    }
    return render(request, "agencies/deliverable_detail.html", context, status=status)


@require_GET
@_portal_or_ops
def deliverable_detail(request: AuthenticatedHttpRequest, deliverable_pk: int) -> HttpResponse:
    return _deliverable_page(
        request, selectors.deliverable_get(pk=deliverable_pk, user=request.user)
    )


@require_GET
@_portal_or_ops
def deliverable_diff(request: AuthenticatedHttpRequest, deliverable_pk: int) -> HttpResponse:
    """Side by side: version `a` on the left, `b` on the right (numbers; default the last two)."""
    deliverable = selectors.deliverable_get(pk=deliverable_pk, user=request.user)
    versions = {version.number: version for version in deliverable.versions.all()}
    numbers = sorted(versions)

    def pick(name: str, default: int | None) -> DeliverableVersion | None:
        number = digits_int(request.GET.get(name, ""))
        if number is None:
            number = default
        return versions.get(number) if number is not None else None

    left = pick("a", numbers[-2] if len(numbers) > 1 else None)
    right = pick("b", numbers[-1] if numbers else None)
    rows = text_diff(left.text, right.text) if left and right else []
    return render(
        request,
        "agencies/deliverable_diff.html",
        {
            "deliverable": deliverable,
            "left": left,
            "right": right,
            "rows": rows,
            "numbers": numbers,
        },
    )


@require_GET
@_portal_or_ops
def version_file(request: AuthenticatedHttpRequest, version_pk: int) -> FileResponse:
    version = selectors.version_get(pk=version_pk, user=request.user)
    if not version.file_path:  # a text or video-link version: there is no file to get
        raise Http404(_("This version has no file."))
    try:
        handle = services.version_file_open(version=version, actor=request.user)
    except AltavozError as error:
        raise PermissionDenied(str(error)) from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=version.file_name or f"version-{version.number}.{version.file_type}",
        content_type=content_type_of(version.file_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@_portal_or_reviewer
def comment_add(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    version = selectors.version_get(pk=version_pk, user=request.user)
    form = CommentForm(request.POST)
    target = reverse("deliverable-detail", args=[version.deliverable_id]) + f"?v={version.pk}"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
        return redirect(target)
    parent = None
    if form.cleaned_data["parent"]:
        parent = selectors.comment_get(pk=form.cleaned_data["parent"], user=request.user)
    try:
        services.comment_add(
            version=version,
            actor=request.user,
            body=form.cleaned_data["body"],
            line=form.cleaned_data["line"],
            quote=form.cleaned_data["quote"],
            parent=parent,
        )
    except AltavozError as error:
        messages.error(request, str(error))
    return redirect(target)


@require_POST
@_portal_or_reviewer
def comment_resolve(request: AuthenticatedHttpRequest, comment_pk: int) -> HttpResponse:
    comment = selectors.comment_get(pk=comment_pk, user=request.user)
    services.comment_resolve(comment=comment, actor=request.user)
    return redirect(
        reverse("deliverable-detail", args=[comment.version.deliverable_id])
        + f"?v={comment.version_id}"
    )


@require_GET
@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "agencies/notification_list.html", {"page": page})


@require_POST
@login_required
def notification_open(request: AuthenticatedHttpRequest, notification_pk: int) -> HttpResponse:
    notification = selectors.notification_get(pk=notification_pk, user=request.user)
    services.notification_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notification-list")


# --- Ops --------------------------------------------------------------------------------


@require_GET
@_needs(OPS_VIEW)
def tracking(request: HttpRequest) -> HttpResponse:
    form = TrackingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    deliverables = selectors.deliverables_tracking(
        status=filters.get("status") or "",
        agency_id=filters["agency"].pk if filters.get("agency") else "",
        campaign_id=filters["campaign"].pk if filters.get("campaign") else "",
        due_before=filters.get("due_before"),
    )
    return render(
        request,
        "agencies/tracking.html",
        {
            "form": form,
            "page": Paginator(deliverables, 100).get_page(request.GET.get("page")),
            "overdue": selectors.deliverables_overdue(),
            "figures": selectors.agency_figures_list(),
            "scorecards": agency_scorecards_list(),
            "today": selectors.local_today(),
        },
    )


@require_GET
@_needs(VIEW_BRIEF)
def brief_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    briefs = selectors.briefs_visible_to(user=request.user)
    return render(
        request,
        "agencies/brief_list.html",
        {"page": Paginator(briefs, 50).get_page(request.GET.get("page"))},
    )


@_needs(ADD_BRIEF)
def brief_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BriefForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        checklist = data.pop("checklist").splitlines()
        deliverable = {
            "kind": data.pop("deliverable_kind"),
            "title": data.pop("deliverable_title"),
            "due_date": data["first_draft_due"] or data["final_due"],
        }
        brief = services.brief_create(
            actor=request.user, checklist=checklist, deliverables=[deliverable], **data
        )
        return redirect("brief-detail", brief.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "agencies/brief_new.html", {"form": form}, status=status)


@require_GET
@_needs(VIEW_BRIEF)
def brief_detail(request: AuthenticatedHttpRequest, brief_pk: int) -> HttpResponse:
    brief = selectors.brief_get(pk=brief_pk, user=request.user)
    return render(
        request,
        "agencies/brief_detail.html",
        {"brief": brief, "portal": False, "deliverable_form": DeliverableForm()},
    )


@require_POST
@_needs(ADD_DELIVERABLE)
def deliverable_new(request: AuthenticatedHttpRequest, brief_pk: int) -> HttpResponse:
    brief = selectors.brief_get(pk=brief_pk, user=request.user)
    form = DeliverableForm(request.POST)
    if form.is_valid():
        services.deliverable_add(actor=request.user, brief=brief, **form.cleaned_data)
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
    return redirect("brief-detail", brief.pk)


@require_POST
@_needs(REVIEW)
def version_review(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    version = selectors.version_get(pk=version_pk, user=request.user)
    checklist = list(version.deliverable.brief.checklist.all())
    form = ReviewForm(request.POST, checklist=checklist)
    target = reverse("deliverable-detail", args=[version.deliverable_id])
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
        return redirect(target)
    checked = set(form.cleaned_data["checked"])
    try:
        services.review_submit(
            version=version,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            summary=form.cleaned_data["summary"],
            checked_items=[item for item in checklist if str(item.pk) in checked],
        )
    except AltavozError as error:
        messages.error(request, str(error))
    return redirect(target)


@require_POST
@_needs(REVIEW)
@permission_required("education.add_contentitem", raise_exception=True)
def deliverable_to_education(
    request: AuthenticatedHttpRequest, deliverable_pk: int
) -> HttpResponse:
    deliverable = selectors.deliverable_get(pk=deliverable_pk, user=request.user)
    try:
        item = services.deliverable_education_draft(deliverable=deliverable, actor=request.user)
    except AltavozError as error:
        messages.error(request, str(error))
        return redirect("deliverable-detail", deliverable.pk)
    messages.success(request, _("Draft education item “%(slug)s” created.") % {"slug": item.slug})
    return redirect("education-item", item.pk)


@require_POST
@_needs(REVIEW)
def deliverable_deliver(request: AuthenticatedHttpRequest, deliverable_pk: int) -> HttpResponse:
    deliverable = selectors.deliverable_get(pk=deliverable_pk, user=request.user)
    try:
        services.deliverable_deliver(deliverable=deliverable, actor=request.user)
    except AltavozError as error:
        messages.error(request, str(error))
    return redirect("deliverable-detail", deliverable.pk)


# --- Agencies and their people ---------------------------------------------------------------


@_needs(CHANGE_AGENCY)
def agency_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every agency with its people count; a form to add one (`add_agency`)."""
    form = AgencyForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(ADD_AGENCY):
            raise PermissionDenied
        if form.is_valid():
            agency = services.agency_create(actor=request.user, **form.cleaned_data)
            return redirect("agency-detail", agency.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agencies/agency_list.html",
        {"agencies": selectors.agencies_list(), "form": form},
        status=status,
    )


def _agency_page(
    request: AuthenticatedHttpRequest,
    agency,
    *,
    form: MemberInviteForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "members": selectors.agency_members(agency=agency),
            "form": form or MemberInviteForm(),
            "new_link": invitation_link_pop(request),
            "error": error,
        },
        status=status,
    )


@require_GET
@_needs(CHANGE_AGENCY)
def agency_detail(request: AuthenticatedHttpRequest, agency_pk: int) -> HttpResponse:
    return _agency_page(request, selectors.agency_get(pk=agency_pk))


@require_POST
@_needs(CHANGE_AGENCY)
def agency_member_invite(request: AuthenticatedHttpRequest, agency_pk: int) -> HttpResponse:
    agency = selectors.agency_get(pk=agency_pk)
    form = MemberInviteForm(request.POST)
    if not form.is_valid():
        return _agency_page(request, agency, form=form, status=400)
    try:
        user, path = services.agency_member_invite(
            actor=request.user, agency=agency, email=form.cleaned_data["email"]
        )
    except AltavozError as error:
        form.add_error(None, str(error))
        return _agency_page(request, agency, form=form, status=400)
    invitation_link_remember(request, email=user.email, path=path)
    return redirect("agency-detail", agency.pk)


@require_POST
@_needs(CHANGE_AGENCY)
def agency_member_invite_again(
    request: AuthenticatedHttpRequest, agency_pk: int, user_pk: int
) -> HttpResponse:
    agency = selectors.agency_get(pk=agency_pk)
    membership = selectors.membership_get(agency=agency, user_pk=user_pk)
    try:
        path = services.agency_member_invite_again(actor=request.user, membership=membership)
    except AltavozError as error:
        return _agency_page(request, agency, error=str(error), status=400)
    invitation_link_remember(request, email=membership.user.email, path=path)
    return redirect("agency-detail", agency.pk)


@require_POST
@_needs(CHANGE_AGENCY)
def agency_member_remove(
    request: AuthenticatedHttpRequest, agency_pk: int, user_pk: int
) -> HttpResponse:
    agency = selectors.agency_get(pk=agency_pk)
    membership = selectors.membership_get(agency=agency, user_pk=user_pk)
    name = membership.user.get_username()
    try:
        services.agency_member_remove(actor=request.user, membership=membership)
    except AltavozError as error:
        return _agency_page(request, agency, error=str(error), status=400)
    messages.success(request, _("%(user)s no longer works for this agency.") % {"user": name})
    return redirect("agency-detail", agency.pk)
