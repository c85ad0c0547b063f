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


LAUNCH_FROM_THE_PAGE = """async (url) => {
    const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
    const response = await fetch(url, {method: "POST", headers: {"X-CSRFToken": token},
                                       redirect: "manual"});
    return {status: response.status, body: await response.text()};
}"""


@pytest.mark.parametrize(("role", "allowed"), [("analyst", False), ("manager", True)])
def test_only_a_manager_can_launch_even_by_posting_directly(page, login_as, role, allowed):
    from campaigns.models import Campaign
    from tests.support.factories import campaign_make, creators_make

    creators_make(3)
    campaign = campaign_make(name="Reto de diciembre", channels=("inbox",))
    login_as(role)
    page.goto(f"/campaigns/{campaign.pk}/review/")
    launch_link = page.locator("#launch")
    assert launch_link.count() == (1 if allowed else 0)
    shot(page, f"review-as-{role}")

    # The same request the button would send, with a valid CSRF token: only the role decides.
    result = page.evaluate(LAUNCH_FROM_THE_PAGE, f"/campaigns/{campaign.pk}/launch/")

    campaign.refresh_from_db()
    if allowed:
        assert result["status"] in (0, 302), result  # fetch reports a manual redirect as 0
        assert campaign.status == Campaign.Status.SENDING
    else:
        assert result["status"] == 403 and "CSRF" not in result["body"], result
        assert campaign.status == Campaign.Status.DRAFT
