"""The app shell at desktop and phone widths, in both languages: the grouped menu marks the
current page, the header keeps the language select and "Sign out" on one row at 1440 px, the
phone menu folds behind one button with nothing wider than the screen, and the home page offers
the next actions."""

import pytest

from tests.support.browser import shot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SIGN_OUT = {"en": "Sign out", "es-mx": "Cerrar sesión"}
CREATORS = {"en": "Creators", "es-mx": "Creadores"}
GROUPS = {"en": ["Audience", "Messaging", "Programs", "Partners", "Insights"]}


def _box_top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_shell_at_desktop_and_phone(page, login_as, language):
    from tests.support.factories import creators_make

    creators_make(3)
    page.set_viewport_size(DESKTOP)
    login_as("manager")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)
    assert page.locator("#language-select option:checked").inner_text() in (
        "English",
        "español de México",
    )
    nav = page.get_by_role("navigation", name="Main" if language == "en" else "Principal")
    for heading in GROUPS.get(language, []):
        assert nav.get_by_role("heading", name=heading).is_visible()

    # One header row: the select, "Sign out" and the notifications share a line.
    sign_out = page.get_by_role("button", name=SIGN_OUT[language])
    select_box = page.locator("#language-select").bounding_box()
    sign_out_box = sign_out.bounding_box()
    assert (
        abs(
            (select_box["y"] + select_box["height"] / 2)
            - (sign_out_box["y"] + sign_out_box["height"] / 2)
        )
        < 4
    )
    assert page.locator(".topbar").bounding_box()["height"] < 64
    shot(page, f"home-1440-{language}")

    nav.get_by_role("link", name=CREATORS[language]).click()
    page.wait_for_url("**/creators/")
    current = nav.locator("a[aria-current=page]")
    assert current.count() == 1 and current.inner_text() == CREATORS[language]
    shot(page, f"creators-1440-{language}")

    page.set_viewport_size(PHONE)
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    menu = nav.locator(".nav-toggle")
    assert menu.is_visible() and not nav.get_by_role("link", name=CREATORS[language]).is_visible()
    shot(page, f"home-390-{language}")
    menu.click()
    assert nav.get_by_role("link", name=CREATORS[language]).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, f"home-390-menu-{language}")
    nav.get_by_role("link", name=CREATORS[language]).click()
    page.wait_for_url("**/creators/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, f"creators-390-{language}")


def test_home_offers_the_next_actions(page, login_as):
    login_as("manager")
    main = page.locator("main")
    for name, path in (
        ("New campaign", "/campaigns/new/"),
        ("Import creators", "/creators/import/"),
        ("Open conversations", "/conversations/?status=open"),
    ):
        assert main.get_by_role("link", name=name).get_attribute("href") == path
