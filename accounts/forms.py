"""The sign-in forms of the ops pages and the admin, with sign-in throttling
(docs/security-signin.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from accounts import services
from accounts.exceptions import SigninPaused
from accounts.selectors import signin_pause_get
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
        pause = signin_pause_get(username=username, address=address)
        if pause is not None:
            services.signin_refusal_record(
                username=username, address=address, site=self.site, pause=pause
            )
            self._refuse(pause.minutes_left(now=timezone.now()))
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                pause = services.signin_failure_record(
                    username=username, address=address, site=self.site
                )
                if pause is not None:
                    self._refuse(pause.minutes_left(now=timezone.now()))
            raise
        if self.get_user() is not None:  # type: ignore[attr-defined]
            services.signin_success_record(username=username, address=address)
        return cleaned

    def _refuse(self, minutes: int) -> None:
        self.signin_paused = str(SigninPaused(minutes=minutes))
        raise forms.ValidationError(self.signin_paused, code="signin_paused")


class SigninForm(ThrottledSigninMixin, AuthenticationForm):
    site = "ops"


class AdminSigninForm(ThrottledSigninMixin, AdminAuthenticationForm):
    site = "admin"
