"""Phone width without horizontal scrolling, and the keyboard path through the page."""

import pytest

from tests.support.browser import shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_fits_a_phone_and_the_nav_is_reachable(page, login_as):
    page.set_viewport_size(PHONE)
    login_as("manager")
    shot(page, "home-phone")

    assert no_horizontal_scroll(page)
    nav = page.get_by_role("navigation", name="Main")
    campaigns = nav.get_by_role("link", name="Campaigns")
    assert not campaigns.is_visible()  # folded behind the menu button
    menu = nav.get_by_role("button", name="Menu")
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert campaigns.is_visible()
    assert no_horizontal_scroll(page)
    shot(page, "home-phone-menu-open")
    page.keyboard.press("Escape")
    assert not campaigns.is_visible()
    menu.click()
    campaigns.click()
    page.wait_for_url("**/campaigns/")
    assert no_horizontal_scroll(page)
    shot(page, "campaigns-phone")


def test_tab_reaches_the_skip_link_then_the_nav(page, login_as):
    login_as("manager")
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()  # shown while focused
    shot(page, "skip-link-focused")

    page.keyboard.press("Tab")  # the brand (home) link
    page.keyboard.press("Tab")
    in_nav = page.evaluate("document.activeElement.closest('nav') !== null")
    assert in_nav, page.evaluate("document.activeElement.outerHTML")
    shot(page, "nav-focused")

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # follow the skip link
    assert page.evaluate("location.hash") == "#main"


def test_login_form_works_with_the_keyboard_only(page, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username="keyboard", password="typed-in")
    user.groups.add(Group.objects.get(name="editor"))
    page.goto("/accounts/login/")
    # The username field has autofocus: type, tab to the password, press Enter.
    page.keyboard.type("keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("typed-in")
    shot(page, "typed")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator(".who").inner_text() == "keyboard"
    shot(page, "signed-in")


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll(
    "main input:not([type=hidden]), main select, main textarea")]
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby"))
  .map((el) => el.outerHTML.slice(0, 120))"""


def test_every_page_fits_a_phone_and_labels_every_control(page, login_as):
    """The ops pages at 390 px: nothing wider than the screen (tables scroll inside their
    own box), and every form control has a label a screen reader can announce."""
    from creators.models import Creator
    from tests.support.factories import campaign_make, creators_make

    creators_make(12)
    campaign = campaign_make(name="Campaña para el teléfono")
    page.set_viewport_size(PHONE)
    login_as("manager")
    creator_pk = Creator.objects.first().pk
    pages = [
        "/creators/",
        f"/creators/{creator_pk}/",
        "/creators/import/",
        "/segments/",
        "/segments/new/",
        f"/segments/{campaign.segment.pk}/",
        "/campaigns/",
        "/campaigns/new/",
        f"/campaigns/{campaign.pk}/audience/",
        f"/campaigns/{campaign.pk}/messages/",
        f"/campaigns/{campaign.pk}/schedule/",
        f"/campaigns/{campaign.pk}/review/",
        f"/campaigns/{campaign.pk}/",
        f"/stats/campaigns/{campaign.pk}/",
        "/audit/",
    ]
    problems = {}
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        unlabelled = page.evaluate(UNLABELLED_CONTROLS)
        if wide > 0 or unlabelled:
            problems[url] = {"overflow_px": wide, "unlabelled": unlabelled}
            shot(page, url.strip("/").replace("/", "-"))
    assert problems == {}
