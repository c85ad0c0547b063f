"""The sign-in forms of the ops pages and the admin, with sign-in throttling
(docs/security.md, "Sign-in throttling")."""

from __future__ import annotations

from typing import Any, NoReturn

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.exceptions import SigninPaused
from accounts.roles import OPS_ROLES, ROLE_LABELS
from accounts.signin import client_address


class ThrottledSigninMixin:
    """Refuses a sign-in while its username or address is paused, before the password is
    checked; counts and audits each failed one."""

    site = "ops"
    request: Any
    signin_paused: str = ""

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()  # type: ignore[attr-defined]
        address = client_address(self.request)
        try:
            services.signin_throttle_check(username=username, address=address, site=self.site)
        except SigninPaused as paused:
            self._refuse(paused)
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                pause = services.signin_failure_record(
                    username=username, address=address, site=self.site
                )
                if pause is not None:
                    self._refuse(SigninPaused(minutes=pause.minutes_left(now=timezone.now())))
            raise
        if self.get_user() is not None:  # type: ignore[attr-defined]
            services.signin_success_record(username=username, address=address)
        return cleaned

    def _refuse(self, paused: SigninPaused) -> NoReturn:
        self.signin_paused = str(paused)
        raise forms.ValidationError(self.signin_paused, code="signin_paused")


class SigninForm(ThrottledSigninMixin, AuthenticationForm):
    site = "ops"


class AdminSigninForm(ThrottledSigninMixin, AdminAuthenticationForm):
    site = "admin"


class InviteForm(forms.Form):
    """Invite someone by email with a role (the Team page: ops roles)."""

    email = forms.EmailField(label=_("Email"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(role, ROLE_LABELS[role]) for role in roles]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(role.value, ROLE_LABELS[role]) for role in OPS_ROLES]
