"""Signing in through the login form lands on the home page."""

import pytest

from tests.support.browser import shot

pytestmark = pytest.mark.browser


def test_signing_in_through_the_form_lands_on_home(page, login_as):
    page.goto("/")
    page.wait_for_url("**/accounts/login/?next=/")
    shot(page, "login-form")

    login_as("editor")

    assert page.locator("h1").inner_text() == "Home"
    assert page.locator(".who").inner_text() == "editor-browser"
    shot(page, "home")
