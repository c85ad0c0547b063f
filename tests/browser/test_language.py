"""The language switcher in the header changes the UI language, and the choice is kept."""

import pytest

from tests.support.browser import shot

pytestmark = pytest.mark.browser


def test_switching_to_spanish_is_remembered(page, login_as):
    login_as("analyst")
    assert page.get_by_role("button", name="Sign out").is_visible()
    shot(page, "english")

    with page.expect_navigation():
        page.select_option("#language-select", "es-mx")

    # Strings the es-MX catalogue already has (locale/es_MX/LC_MESSAGES/django.po).
    assert page.locator("html").get_attribute("lang") == "es-mx"
    assert page.get_by_role("button", name="Cerrar sesión").is_visible()
    assert page.locator("h1").inner_text() == "Inicio"
    shot(page, "spanish")

    page.goto("/")  # a fresh load: the choice is remembered (language cookie)
    assert page.locator("h1").inner_text() == "Inicio"
    assert page.locator("nav").get_by_role("link", name="Campañas").is_visible()
    shot(page, "spanish-after-reload")
