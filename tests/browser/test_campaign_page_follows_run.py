"""The campaign page follows a real worker's run and settles when it ends, without the
person reloading: the deliveries rows fill in while sending, Pause says in-flight batches
finish, and at the end the status badge, the buttons, the rows and the rates (WhatsApp read
receipts arriving after the last send) are all the finished campaign's."""

import pytest

from campaigns import services
from campaigns.models import Campaign, Delivery
from tests.support.browser import shot
from tests.support.factories import campaign_make, creators_make

pytestmark = [pytest.mark.browser, pytest.mark.worker]

CREATORS = 30


def test_campaign_page_follows_the_run_and_settles_without_reload(page, login_as, live_stack):
    creators_make(CREATORS)
    campaign = campaign_make(name="Misión que se mueve", channels=("whatsapp",))
    live_stack.fakes.set_behaviour(
        "twilio",
        callbacks={"enabled": True, "delay_ms": 400, "statuses": ["sent", "delivered", "read"]},
    )
    login_as("manager")
    services.campaign_launch(campaign=campaign)  # the fan-out task waits in the broker
    page.goto(f"{live_stack.url}/campaigns/{campaign.pk}/")
    badge = page.locator(".page-head .status")
    assert badge.inner_text() == "Sending"
    assert page.get_by_role("button", name="Pause").is_visible()
    assert page.locator("#deliveries-rows").inner_text().strip() == "No deliveries."
    page.evaluate("window.drawnOnce = true")  # gone if the page reloads
    shot(page, "launched")

    # 3 WhatsApp messages a second: about 10 s of sending, several polls on the way.
    live_stack.worker_start(PROVIDER_RATE_LIMITS="twilio=3,sendgrid=0,fcm=0,smtp=0,inbox=0")
    rows = page.locator("#deliveries-rows tr[data-delivery]")
    page.wait_for_function(
        "() => document.querySelectorAll('#deliveries-rows tr[data-delivery]').length > 0",
        timeout=30_000,
    )
    assert page.evaluate("window.drawnOnce === true"), "rows came by polling, not a reload"
    assert rows.first.locator("a[href^='/creators/']").count() == 1
    shot(page, "rows-while-sending")

    # Pause: the page says batches already with the provider still finish.
    page.get_by_role("button", name="Pause").click()
    note = page.locator(".paused-note")
    note.wait_for()
    assert "batches already handed to the providers finish" in note.inner_text()
    assert "finish sending" in page.locator("ul.flash").inner_text()
    shot(page, "paused")
    page.get_by_role("button", name="Resume").click()
    badge.filter(has_text="Sending").wait_for()
    page.evaluate("window.drawnOnce = true")

    # The end: everything settles with nobody touching the page.
    badge.filter(has_text="Sent").wait_for(timeout=60_000)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    assert page.get_by_role("button", name="Pause").count() == 0
    assert page.get_by_role("button", name="Cancel campaign").count() == 0
    assert rows.count() == CREATORS
    assert page.locator("#deliveries-rows .status-sent").count() == CREATORS
    summary = page.locator("#opens-clicks tr[data-summary-channel=whatsapp]")
    assert summary.locator("[data-figure=sent]").inner_text() == str(CREATORS)
    # Read receipts (WhatsApp opens) arrive after the last send; the card follows them.
    page.wait_for_function(
        "() => { const c = document.querySelector("
        "'#opens-clicks tr[data-summary-channel=whatsapp] [data-figure=open_rate]');"
        " return c && c.textContent.trim() === '100.0 %'; }",
        timeout=30_000,
    )
    assert (
        Delivery.objects.filter(campaign=campaign, first_opened_at__isnull=False).count()
        == CREATORS
    )
    shot(page, "settled")
