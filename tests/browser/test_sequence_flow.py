"""Build a sequence in the browser, launch the campaign, and watch the flow view fill in as a
real worker sends the campaign and then its follow-up step."""

import pytest

from campaigns import tasks
from campaigns.models import Campaign, Delivery, SequenceStep
from tests.support.browser import shot
from tests.support.factories import campaign_make, creators_make

pytestmark = [pytest.mark.browser, pytest.mark.worker]

CREATORS = 12


def _cell(page, step: str, column: str) -> str:
    return page.locator(f"#sequence-flow li[data-step='{step}'] dd.{column}").inner_text()


def test_build_launch_and_watch_the_flow(page, login_as, live_stack):
    creators_make(CREATORS)
    campaign = campaign_make(name="Misión con recordatorio", channels=("inbox",))
    login_as("manager")

    page.goto(f"/campaigns/{campaign.pk}/sequence/")
    page.click("#sequence-add-step")
    page.fill("#step-wait-days", "0")
    page.fill("#step-wait-hours", "0")
    page.select_option("#step-condition", "not_clicked")
    page.fill("#step-es-MX-title", "¿Ya lo viste?")
    page.fill("#step-es-MX-body", "Hola {{ creator.first_name }}, aún puedes unirte")
    page.click("#step-save")
    page.locator("#steps tr[data-step='1']").wait_for()
    shot(page, "step-added")
    step = SequenceStep.objects.get(campaign=campaign)
    assert step.condition == "not_clicked"

    page.goto(f"/campaigns/{campaign.pk}/review/")
    page.locator("#launch").click()
    page.locator("#launch-confirm-button").click()
    page.wait_for_url(f"**/campaigns/{campaign.pk}/**")
    live_stack.worker_start()

    for _ in range(60):
        sent = Delivery.objects.filter(campaign=campaign, step=0, status="sent").count()
        if sent == CREATORS:
            break
        page.wait_for_timeout(500)
    else:
        pytest.fail(f"the launch was not sent; worker log:\n{live_stack.worker_log()}")
    page.goto(f"/campaigns/{campaign.pk}/")
    assert _cell(page, "0", "sent") == str(CREATORS)
    assert _cell(page, "1", "sent") == "0"
    shot(page, "launched")

    tasks.sequence_steps_due.delay()  # what beat does every minute
    for _ in range(60):
        page.goto(f"/campaigns/{campaign.pk}/")
        if _cell(page, "1", "sent") == str(CREATORS):
            break
        page.wait_for_timeout(500)
    else:
        pytest.fail(f"the step was not sent; worker log:\n{live_stack.worker_log()}")
    shot(page, "flow-filled")
    assert _cell(page, "1", "entered") == str(CREATORS)
    for _ in range(20):
        if Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT:
            break
        page.wait_for_timeout(500)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
