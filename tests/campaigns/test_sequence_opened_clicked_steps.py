"""A step for those who opened, or those who clicked: exactly them (a click counts as an open);
before the launch nobody has, so the builder's preview counts none."""

from campaigns import sequences
from campaigns.models import Delivery, SequenceStep
from tests.campaigns.sequence_rig import (
    LAUNCH,
    campaign_with_creators,
    click_record,
    creators_of,
    hours,
    launch,
    open_record,
    send_all,
    step_messages,
)

Condition = SequenceStep.Condition


def test_opened_and_clicked_steps_reach_exactly_the_openers_and_the_clickers(
    transactional_db, settings
):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, index = campaign_with_creators(15)
    opened = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=60,
        condition=Condition.OPENED,
        messages=step_messages("Gracias por abrir"),
    )
    clicked = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=60,
        condition=Condition.CLICKED,
        messages=step_messages("Gracias por entrar"),
    )
    assert sequences.step_preview_count(step=opened) == 0
    assert sequences.step_preview_count(step=clicked) == 0
    launch(campaign)
    send_all(campaign)
    openers, clickers = set(), set()
    for delivery in Delivery.objects.filter(campaign=campaign, step=0):
        i = index[delivery.creator_id]
        if i % 3 == 0:
            open_record(delivery, LAUNCH + hours(0.2))
            openers.add(delivery.creator_id)
        if i % 5 == 0:  # a click without a tracked open counts as an open
            click_record(delivery, LAUNCH + hours(0.3))
            clickers.add(delivery.creator_id)

    assert sequences.steps_due_run(now=LAUNCH + hours(1)) == 1
    assert creators_of(campaign, step=opened.pk) == openers | clickers
    assert sequences.steps_due_run(now=LAUNCH + hours(2)) == 1
    assert creators_of(campaign, step=clicked.pk) == clickers
    assert clickers - openers and openers - clickers
