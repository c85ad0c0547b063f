"""In Chromium: a manager creates an agency and invites a member; the member opens the
emailed link, chooses a password, is signed in and sees only that agency's briefs. An admin
invites a colleague from the Team page the same way. Every people page fits a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail

from accounts.roles import user_role
from agencies import services
from agencies.models import Agency, AgencyMembership
from config.celery import app as celery_app
from tests.support.browser import shot
from tests.support.factories import agency_make

pytestmark = pytest.mark.browser

NEW_PASSWORD = "una-clave-larga-2026"
SIGN_OUT = {"en": "Sign out", "es-mx": "Cerrar sesión"}


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """The invitation email task runs in the live server's thread (locmem backend)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def _emailed_link(address: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [address]]
    (link,) = re.findall(r"https?://\S+/invitation/\S+/", str(message.body))
    return link


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_manager_invites_an_agency_member_who_signs_in_through_the_link(
    page, login_as, live_server, eager_tasks, settings, language
):
    settings.PUBLIC_BASE_URL = live_server.url
    manager = login_as("manager")
    bravo = agency_make("Bravo")
    services.brief_create(
        actor=manager, agency=bravo, title="Brief de Bravo", objective="x", final_due="2030-01-01"
    )
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)

    # The menu leads to the agencies' people; the manager creates Alfa.
    page.locator("nav.appnav a[href='/agencies/teams/']").click()
    page.wait_for_url("**/agencies/teams/")
    page.fill("#agency-form #id_name", "Alfa")
    page.fill("#agency-form #id_contact_email", "hola@alfa.mx")
    with page.expect_navigation():
        page.locator("#agency-form button[type=submit]").click()
    assert page.locator("h1").inner_text() == "Alfa"
    alfa_pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    services.brief_create(
        actor=manager,
        agency=Agency.objects.get(pk=alfa_pk),
        title="Brief de Alfa",
        objective="x",
        final_due="2030-01-01",
    )
    shot(page, "agency-created")

    # Invite a member by email: the link shows once, to copy, and is emailed.
    page.fill("#member-invite-form #id_email", "escritora@alfa.mx")
    with page.expect_navigation():
        page.locator("#member-invite-form button[type=submit]").click()
    shown = page.locator("#invitation-url").input_value()
    assert "/invitation/" in shown
    assert _emailed_link("escritora@alfa.mx") == shown
    assert page.locator("#members tr[data-status='invited']").count() == 1
    shot(page, "member-invited")
    with page.expect_navigation():
        page.get_by_role("button", name=SIGN_OUT[language]).click()

    # The member opens the link, chooses a password and is signed in to the agency portal.
    page.goto(shown)
    assert "escritora@alfa.mx" in page.locator("main").inner_text()
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    shot(page, "choose-password")
    with page.expect_navigation():
        page.locator("#accept-form button[type=submit]").click()
    page.wait_for_url("**/agency/")
    assert page.locator("header .who").inner_text() == "escritora@alfa.mx"
    portal = page.locator("main").inner_text()
    assert "Brief de Alfa" in portal and "Brief de Bravo" not in portal
    assert page.locator("nav.appnav a[href='/creators/']").count() == 0
    shot(page, "member-signed-in")
    assert AgencyMembership.objects.get(user__username="escritora@alfa.mx").agency_id == alfa_pk

    # The link worked once.
    response = page.goto(shown)
    assert response.status == 404
    assert page.locator("#invitation-error").is_visible()


def test_admin_invites_a_colleague_from_the_team_page(page, login_as, live_server, eager_tasks):
    from tests.browser.test_phone_and_keyboard import PHONE, UNLABELLED_CONTROLS

    admin = login_as("admin")
    page.locator("nav.appnav a[href='/team/']").click()
    page.wait_for_url("**/team/")
    page.fill("#invite-form #id_email", "colega@altavoz.mx")
    page.select_option("#invite-form #id_role", "editor")
    with page.expect_navigation():
        page.locator("#invite-form button[type=submit]").click()
    link = page.locator("#invitation-url").input_value()
    row = page.locator("#team tr[data-status='invited']")
    assert "colega@altavoz.mx" in row.inner_text()
    shot(page, "colleague-invited")

    # Change the colleague's role to analyst, in place.
    colleague_pk = row.get_attribute("data-user")
    page.select_option(f"#role-{colleague_pk}", "analyst")
    with page.expect_navigation():
        page.locator(f"#user-{colleague_pk} button", has_text="Change role").click()
    assert user_role(type(admin).objects.get(pk=colleague_pk)) == "analyst"

    # The admin's own row offers no role change or deactivation.
    mine = page.locator(f"#user-{admin.pk}")
    assert mine.locator("select").count() == 0 and mine.locator("button").count() == 0

    # Every people page fits a phone and labels its controls.
    page.set_viewport_size(PHONE)
    alfa = agency_make("Alfa")
    services.agency_member_invite(actor=admin, agency=alfa, email="a@alfa.mx")
    problems = {}
    for url in ("/team/", "/agencies/teams/", f"/agencies/teams/{alfa.pk}/", "/audit/"):
        assert page.goto(url).status == 200, url
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        unlabelled = page.evaluate(UNLABELLED_CONTROLS)
        if wide > 0 or unlabelled:
            problems[url] = {"overflow_px": wide, "unlabelled": unlabelled}
    shot(page, "team-phone")
    assert problems == {}

    # The colleague signs in through the link, as an analyst.
    page.set_viewport_size({"width": 1280, "height": 800})
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    with page.expect_navigation():
        page.locator("#accept-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("header .who").inner_text() == "colega@altavoz.mx"
    assert page.locator("nav.appnav a[href='/team/']").count() == 0
