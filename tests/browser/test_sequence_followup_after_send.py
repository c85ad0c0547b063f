"""An ops manager follows up non-openers after a campaign was sent, in the browser: from the
campaign page, a WhatsApp step (no title) in both languages, a bad template refused with its
line, the live preview; the step runs for the non-openers, and the flow view shows them
waiting, in es-MX at 390 px."""

import pytest
from django.utils import timezone

from campaigns import runs, sequences
from campaigns.models import Campaign, Delivery, SequenceStep
from tests.campaigns.sequence_rig import (
    LAUNCH,
    campaign_with_creators,
    hours,
    launch,
    open_record,
)
from tests.support.browser import shot

pytestmark = [pytest.mark.browser]


def test_follow_up_non_openers_after_the_send(page, login_as, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, index = campaign_with_creators(9)
    launch(campaign)
    # What the dispatcher records (it runs its own event loop: not beside Playwright's).
    Delivery.objects.filter(campaign=campaign).update(status=Delivery.Status.SENT, sent_at=LAUNCH)
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
    openers = set()
    for delivery in Delivery.objects.filter(campaign=campaign, step=0):
        if index[delivery.creator_id] % 3 == 0:
            open_record(delivery, LAUNCH + hours(1))
            openers.add(delivery.creator_id)
    not_opened = set(index) - openers
    login_as("manager")

    page.goto(f"/campaigns/{campaign.pk}/")
    page.click("#campaign-add-followup")
    page.wait_for_url(f"**/campaigns/{campaign.pk}/sequence/steps/new/")
    assert page.locator("#step-after-send-note").is_visible()
    page.select_option("#step-channel", "whatsapp")
    # htmx swapped in WhatsApp's fields: no title.
    page.locator("#step-es-MX-title").wait_for(state="detached")
    assert page.locator("#step-es-MX-content_sid").is_visible()
    page.select_option("#step-condition", "not_opened")
    page.fill("#step-wait-days", "0")
    page.fill("#step-wait-hours", "0")
    page.fill("#step-es-MX-body", "Hola {{ creator.first_name }}, ¿ya viste la misión?")
    page.locator("#preview-en [data-testid=preview-empty]").wait_for()
    bubble = page.locator("#preview-es-MX [data-testid=whatsapp-bubble]")
    bubble.filter(has_text="¿ya viste la misión?").wait_for()
    assert "{{" not in bubble.inner_text()
    page.fill("#step-en-body", "Hi {{ creator.first_name }\nDid you see it?")
    page.locator("#preview-en [data-testid=template-error]").filter(has_text="Line 1:").wait_for()
    shot(page, "step-form")
    page.click("#step-save")
    # The form's own error under the field (the live preview, loaded after the page, shows
    # the same problem in its own box).
    error = page.locator("#step-message-en fieldset [data-testid=template-error]")
    assert error.inner_text().startswith("Line 1:")
    assert not SequenceStep.objects.filter(campaign=campaign).exists()

    page.fill("#step-en-body", "Hi {{ creator.first_name }}, did you see it?")
    page.click("#step-save")
    page.wait_for_url(f"**/campaigns/{campaign.pk}/sequence/")
    assert "Due now" in page.locator("#sequence-step-1 .step-state").inner_text()
    shot(page, "step-added")
    step = SequenceStep.objects.get(campaign=campaign)
    assert (step.channel, step.condition, step.wait_minutes) == ("whatsapp", "not_opened", 0)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING

    assert sequences.steps_due_run(now=timezone.now()) == 1  # what beat does every minute
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/campaigns/{campaign.pk}/")
    with page.expect_navigation():
        page.select_option("#language-select", "es-mx")
    assert page.locator("html").get_attribute("lang") == "es-mx"
    flow = page.locator("#sequence-flow")
    assert flow.locator("li[data-step='1'] dd.waiting").inner_text() == str(len(not_opened))
    assert flow.locator("li[data-step='0'] dd.sent").inner_text() == str(len(index))
    assert flow.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    box = flow.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    shot(page, "flow-390-es-mx")
