"""In a browser, the wizard's review step draws itself with "Counting…" and htmx fills in the
segment's reach per channel (and the WhatsApp window split) from the counts fragment."""

import pytest

from tests.support.browser import shot
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.browser


def test_review_step_fills_in_the_counts_after_drawing(page, login_as):
    creators_make(6, devices=False)
    campaign = campaign_make(name="Misión contada", channels=("whatsapp", "email"))
    login_as("editor")

    page.goto(f"/campaigns/{campaign.pk}/review/")

    counts = page.locator("#audience-counts")
    assert counts.locator("[data-testid=reachable-email]").inner_text() == "6"
    assert counts.locator("[data-testid=reachable-push]").inner_text() == "0"
    assert counts.locator("[data-testid=whatsapp-in-window]").inner_text() == "6"
    assert page.locator("#whatsapp-window").is_visible()
    assert page.locator("[data-testid=counts-loading]").count() == 0
    shot(page, "review-counts-loaded")
