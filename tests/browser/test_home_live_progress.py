"""A launched campaign's progress on the home page follows a real worker to 100 %."""

import re

import pytest

from campaigns import services
from campaigns.models import Campaign, Delivery
from tests.support.browser import shot
from tests.support.factories import campaign_make, creators_make

pytestmark = [pytest.mark.browser, pytest.mark.worker]

CREATORS = 30


def test_home_progress_follows_the_worker_to_100_percent(page, login_as, live_stack):
    creators_make(CREATORS)
    campaign = campaign_make(name="Misión en vivo", channels=("whatsapp",))
    login_as("manager")

    services.campaign_launch(campaign=campaign)  # the fan-out task waits in the broker
    page.reload()
    run = page.locator(f"#runs .run[data-campaign='{campaign.pk}']")
    assert run.locator(".run-figures").get_attribute("data-percent") == "0"
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads
    shot(page, "launched-no-worker")

    # 10 WhatsApp messages a second: about 3 s of sending, several 2 s polls.
    live_stack.worker_start(PROVIDER_RATE_LIMITS="twilio=10,sendgrid=0,fcm=0,smtp=0,inbox=0")
    seen = set()
    figures = run.locator(".run-figures")
    for _ in range(60):
        percent = int(figures.get_attribute("data-percent"))
        seen.add(percent)
        if percent == 100:
            break
        page.wait_for_timeout(500)
    else:
        pytest.fail(f"progress stuck at {seen}; worker log:\n{live_stack.worker_log()}")
    shot(page, "sent")

    text = figures.inner_text()
    assert re.search(rf"\b{CREATORS} sent\b", text) and "0 remaining" in text, text
    assert page.evaluate("window.loadedOnce === true")  # htmx swapped the panel in place
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    assert Delivery.objects.filter(campaign=campaign, status="sent").count() == CREATORS
    assert len(live_stack.fakes.received("twilio", accepted=True)) == CREATORS
    print(f"percentages seen on the way: {sorted(seen)}")
