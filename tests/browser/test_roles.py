"""An analyst sees no audit link, and going to the audit log anyway is a 403."""

import pytest

from tests.support.browser import shot

pytestmark = pytest.mark.browser


def test_analyst_has_no_audit_link_and_gets_403(page, login_as):
    login_as("analyst")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Campaigns").is_visible()
    assert nav.get_by_role("link", name="Audit log").count() == 0
    shot(page, "analyst-nav")

    response = page.goto("/audit/")

    assert response.status == 403
    shot(page, "audit-forbidden")


def test_manager_sees_the_audit_link(page, login_as):
    login_as("manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/audit/")
    assert page.locator("h1").count() == 1
    shot(page, "audit-log")
