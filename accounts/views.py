"""People: the Team page (invite ops users, change roles, deactivate) and the invitation
link's page, where an invited person chooses a password and is signed in
(docs/roles.md, "People")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services
from accounts.exceptions import InvitationInvalid
from accounts.forms import InviteForm, RoleForm
from accounts.roles import MANAGE_PEOPLE, OPS_ROLES
from common.exceptions import AltavozError
from common.http import AuthenticatedHttpRequest

SESSION_LINK = "accounts.invitation_link"


def invitation_link_remember(request: HttpRequest, *, email: str, path: str) -> None:
    """Keep a new invitation link for the next page, which shows it once to copy."""
    request.session[SESSION_LINK] = {"email": email, "url": request.build_absolute_uri(path)}


def invitation_link_pop(request: HttpRequest) -> dict[str, str] | None:
    return request.session.pop(SESSION_LINK, None)


def _needs_people(view):
    return login_required(permission_required(MANAGE_PEOPLE, raise_exception=True)(view))


def _team_page(
    request: AuthenticatedHttpRequest,
    *,
    invite_form: InviteForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    roles = tuple(role.value for role in OPS_ROLES)
    return render(
        request,
        "accounts/team.html",
        {
            "people": selectors.team_list(),
            "invite_form": invite_form or InviteForm(roles=roles, initial={"role": "analyst"}),
            "role_form": RoleForm(),
            "new_link": invitation_link_pop(request),
            "error": error,
        },
        status=status,
    )


@require_GET
@_needs_people
def team(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _team_page(request)


@require_POST
@_needs_people
def team_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteForm(request.POST, roles=tuple(role.value for role in OPS_ROLES))
    if not form.is_valid():
        return _team_page(request, invite_form=form, status=400)
    try:
        user, path = services.user_invite(actor=request.user, **form.cleaned_data)
    except AltavozError as error:
        form.add_error(None, str(error))
        return _team_page(request, invite_form=form, status=400)
    invitation_link_remember(request, email=user.email, path=path)
    return redirect("team")


@require_POST
@_needs_people
def team_role(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    user = selectors.team_member_get(pk=user_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _team_page(request, error=_("Choose one of the roles offered."), status=400)
    try:
        services.user_role_change(actor=request.user, user=user, role=form.cleaned_data["role"])
    except AltavozError as error:
        return _team_page(request, error=str(error), status=400)
    messages.success(request, _("%(user)s’s role was changed.") % {"user": user.get_username()})
    return redirect("team")


@require_POST
@_needs_people
def team_deactivate(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    user = selectors.team_member_get(pk=user_pk)
    try:
        services.user_deactivate(actor=request.user, user=user)
    except AltavozError as error:
        return _team_page(request, error=str(error), status=400)
    messages.success(request, _("%(user)s was deactivated.") % {"user": user.get_username()})
    return redirect("team")


@require_POST
@_needs_people
def team_invite_again(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    user = selectors.team_member_get(pk=user_pk)
    try:
        path = services.user_invite_again(actor=request.user, user=user)
    except AltavozError as error:
        return _team_page(request, error=str(error), status=400)
    invitation_link_remember(request, email=user.email, path=path)
    return redirect("team")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation: choose a password, then you are signed in."""
    try:
        invitation = selectors.invitation_from_token(token=token)
    except InvitationInvalid as error:
        return render(
            request, "accounts/invitation_invalid.html", {"error": str(error)}, status=404
        )
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request,
                "accounts/invitation_accept.html",
                {"form": form, "invitation": invitation},
                status=400,
            )
        try:
            user = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except InvitationInvalid as error:
            return render(
                request, "accounts/invitation_invalid.html", {"error": str(error)}, status=404
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Altavoz. Your password is set."))
        return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )
