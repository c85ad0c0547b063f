"""A three-step sequence over 1,000 creators on a frozen clock: each step reaches exactly the
creators its condition selects, at its local time, and never one who exited."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaigns import runs, sequences, tasks
from campaigns.models import Delivery, SequenceStep
from channels.models import InboxMessage
from creators.models import Creator
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

DAY = 24 * 60


def _tick(at: datetime) -> int:
    return tasks.sequence_steps_due(at.isoformat())


def _local_ten(zone: str, after: datetime) -> datetime:
    """The first 10:00 in `zone` at or after `after`."""
    here = after.astimezone(ZoneInfo(zone))
    ten = datetime.combine(here.date(), time(10), tzinfo=ZoneInfo(zone))
    return ten if ten >= here else ten + timedelta(days=1)


def test_three_steps_reach_exactly_whom_their_conditions_select(transactional_db, settings):
    settings.QUIET_HOURS = "21:00-09:00"
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, index = campaign_with_creators(1000)
    campaign.sequence_exit = ["clicked", "unsubscribed"]
    campaign.save(update_fields=["sequence_exit"])
    first = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=3 * DAY,
        condition=SequenceStep.Condition.NOT_OPENED,
        messages=step_messages("¿Lo viste?"),
    )
    second = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=3 * DAY,
        local_time=time(10),
        condition=SequenceStep.Condition.NOT_CLICKED,
        messages=step_messages("Resumen"),
    )
    third = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=DAY,
        condition=SequenceStep.Condition.OPENED_NOT_CLICKED,
        messages=step_messages("Último"),
    )
    launch(campaign)
    send_all(campaign)
    everyone = set(index)
    assert creators_of(campaign, step=0) == everyone
    # All sent, but steps are still to come: the run is not over.
    assert not runs.campaign_finish_if_done(campaign_id=campaign.pk)

    # Day 0: a third open, a tenth click (and so open); 1 in 50 unsubscribes on day 1.
    for delivery in Delivery.objects.filter(campaign=campaign, step=0):
        i = index[delivery.creator_id]
        if i % 3 == 0 or i % 10 == 0:
            open_record(delivery, LAUNCH + hours(1))
        if i % 10 == 0:
            click_record(delivery, LAUNCH + hours(2))
    unsubscribed = {pk for pk, i in index.items() if i % 50 == 1}
    Creator.objects.filter(pk__in=unsubscribed).update(consent_email="denied")
    clicked_0 = {pk for pk, i in index.items() if i % 10 == 0}
    opened_0 = {pk for pk, i in index.items() if i % 3 == 0} | clicked_0

    # Not yet due: nothing happens, however often beat ticks.
    assert _tick(LAUNCH + timedelta(days=2, hours=23)) == 0
    assert not Delivery.objects.filter(campaign=campaign, step=first.pk).exists()

    # Day 3: those who have not opened, minus those who exited.
    day3 = LAUNCH + timedelta(days=3)
    assert _tick(day3) == 1
    expected_1 = everyone - opened_0 - clicked_0 - unsubscribed
    assert creators_of(campaign, step=first.pk) == expected_1
    send_all(campaign)
    assert InboxMessage.objects.filter(title="¿Lo viste?").count() == len(expected_1)

    # Of step 1's recipients, 1 in 7 opens, 1 in 14 clicks.
    for delivery in Delivery.objects.filter(campaign=campaign, step=first.pk):
        i = index[delivery.creator_id]
        if i % 7 == 0:
            open_record(delivery, day3 + hours(5))
        if i % 14 == 0:
            click_record(delivery, day3 + hours(6))
    clicked_1 = {pk for pk in expected_1 if index[pk] % 14 == 0}
    opened_1 = {pk for pk in expected_1 if index[pk] % 7 == 0}

    # Day 6 at 10:00 local: everyone who has not clicked yet and has not exited.
    day6 = day3 + timedelta(days=3)
    assert _tick(day6 - timedelta(minutes=1)) == 0
    assert _tick(day6) == 1
    expected_2 = everyone - clicked_0 - clicked_1 - unsubscribed
    assert creators_of(campaign, step=second.pk) == expected_2
    zone_of = dict(Creator.objects.values_list("pk", "timezone"))
    not_before = dict(
        Delivery.objects.filter(campaign=campaign, step=second.pk).values_list(
            "creator_id", "not_before"
        )
    )
    assert not_before == {pk: _local_ten(zone_of[pk], day6) for pk in expected_2}
    send_all(campaign)

    # Day 7: opened (on any step) but never clicked; a late unsubscribe exits too.
    late = {pk for pk in expected_2 if index[pk] % 9 == 4}
    Creator.objects.filter(pk__in=late).update(consent_push="denied")
    day7 = day6 + timedelta(days=1)
    assert _tick(day7) == 1
    expected_3 = (opened_0 | opened_1) - clicked_0 - clicked_1 - unsubscribed - late
    assert creators_of(campaign, step=third.pk) == expected_3
    assert expected_1 and expected_2 and expected_3
    # Nobody who exited before a step got it.
    assert not creators_of(campaign, step=third.pk) & (clicked_0 | clicked_1 | late)
    send_all(campaign)
    assert InboxMessage.objects.filter(title="Último").count() == len(expected_3)
    # Every step executed: the run is over.
    assert _tick(day7 + timedelta(days=30)) == 0
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
