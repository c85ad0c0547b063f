"""Re-running a step (a retried task, two beat ticks, a tick after the send) sends nothing
twice: the (step, run) marker and the unique delivery key make it a no-op."""

from datetime import timedelta

from campaigns import sequences, tasks
from campaigns.models import Delivery, SequenceStepRun
from channels.models import InboxMessage
from tests.campaigns.sequence_rig import (
    LAUNCH,
    campaign_with_creators,
    launch,
    send_all,
    step_messages,
)


def test_step_task_retried_and_ticked_twice_sends_once(transactional_db, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, _index = campaign_with_creators(40)
    step = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=60, messages=step_messages("Recordatorio")
    )
    launch(campaign)
    send_all(campaign)
    due = (LAUNCH + timedelta(hours=1)).isoformat()

    assert tasks.sequence_steps_due(due) == 1
    assert tasks.sequence_steps_due(due) == 0  # a second beat tick
    assert tasks.sequence_step_execute(step.pk, 1, due) is None  # a retried task
    send_all(campaign)
    assert tasks.sequence_step_execute(step.pk, 1, due) is None  # after the send too
    assert tasks.sequence_steps_due((LAUNCH + timedelta(days=2)).isoformat()) == 0
    send_all(campaign)

    assert SequenceStepRun.objects.filter(step=step, run=1).count() == 1
    assert Delivery.objects.filter(campaign=campaign, step=step.pk).count() == 40
    assert InboxMessage.objects.filter(title="Recordatorio").count() == 40


def test_removed_step_never_sends(transactional_db, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, _index = campaign_with_creators(10)
    removed = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=60, messages=step_messages("Quitado")
    )
    kept = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=60, messages=step_messages("Sigue")
    )
    launch(campaign)
    sequences.sequence_step_remove(step=removed)

    assert tasks.sequence_steps_due((LAUNCH + timedelta(hours=1)).isoformat()) == 1
    assert tasks.sequence_step_execute(removed.pk, 1, LAUNCH.isoformat()) is None
    send_all(campaign)
    assert not Delivery.objects.filter(step=removed.pk).exists()
    assert InboxMessage.objects.filter(title="Sigue").count() == 10
    assert kept.runs.count() == 1


def test_step_without_a_default_language_message_is_refused(db):
    import pytest

    from campaigns.exceptions import CampaignIncomplete
    from campaigns.models import SequenceStep

    campaign, _index = campaign_with_creators(2)
    with pytest.raises(CampaignIncomplete):
        sequences.sequence_step_save(
            campaign=campaign,
            channel="inbox",
            wait_minutes=60,
            messages=[{"locale": "en", "title": "Hi", "body": "Hi"}],
        )
    assert not SequenceStep.objects.exists()
