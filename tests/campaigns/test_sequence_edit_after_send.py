"""Follow-up steps are added, changed and removed after the campaign's own send, until each
runs: the creators waiting for a step get it as it is when it runs, a step added to a sent
campaign reopens it for the creators still in the sequence, and a step that ran is read-only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import runs, sequences
from campaigns.exceptions import CampaignIncomplete, StepMessagesInvalid
from campaigns.models import Campaign, Delivery, Message, SequenceStep
from channels.models import InboxMessage
from creators.models import Creator
from tests.campaigns.sequence_rig import (
    LAUNCH,
    campaign_with_creators,
    creators_of,
    hours,
    launch,
    open_record,
    send_all,
    step_messages,
)
from tests.support.factories import creators_make

Condition = SequenceStep.Condition


def _sent(count: int = 20) -> tuple[Campaign, set[int], set[int]]:
    """A campaign launched on the frozen clock, sent and finished, with no step; a third of the
    creators opened it. Returns it, the openers and the others."""
    campaign, index = campaign_with_creators(count)
    launch(campaign)
    send_all(campaign)
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    opened = set()
    for delivery in Delivery.objects.filter(campaign=campaign, step=0):
        if index[delivery.creator_id] % 3 == 0:
            open_record(delivery, LAUNCH + hours(1))
            opened.add(delivery.creator_id)
    return campaign, opened, set(index) - opened


def test_a_step_added_to_a_sent_campaign_reopens_it_and_goes_to_the_non_openers(
    transactional_db, settings
):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, opened, not_opened = _sent()

    step = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=24 * 60,
        condition=Condition.NOT_OPENED,
        messages=step_messages("¿Lo viste?"),
    )

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING and campaign.finished_at is None
    reopened = campaign.transitions.order_by("-id").first()
    assert (reopened.from_status, reopened.to_status) == ("sent", "sending")
    assert reopened.note_message["code"] == "campaign.sequence_reopened"
    # The wait counts from the first send (a day after LAUNCH, long past): due now.
    upcoming = sequences.step_next(campaign=campaign, run=campaign.last_run)
    assert upcoming.step == step and upcoming.due_at == LAUNCH + timedelta(days=1)
    # The run is not over while the step is to come, however often the watchdog looks.
    assert not runs.campaign_finish_if_done(campaign_id=campaign.pk)

    assert sequences.steps_due_run(now=timezone.now()) == 1
    assert creators_of(campaign, step=step.pk) == not_opened
    send_all(campaign)
    assert InboxMessage.objects.filter(title="¿Lo viste?").count() == len(not_opened)
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    assert sequences.steps_due_run(now=timezone.now() + timedelta(days=30)) == 0


def test_a_pending_step_changed_after_the_send_applies_to_every_creator_waiting(
    transactional_db, settings
):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, index = campaign_with_creators(12)
    step = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=3 * 24 * 60,
        condition=Condition.ALL,
        messages=step_messages("Para todos"),
    )
    launch(campaign)
    send_all(campaign)
    opened = set()
    for delivery in Delivery.objects.filter(campaign=campaign, step=0):
        if index[delivery.creator_id] % 2:
            open_record(delivery, LAUNCH + hours(1))
            opened.add(delivery.creator_id)

    # Everyone is waiting for the step; it now goes to non-openers, a day sooner, reworded,
    # in Spanish only (the English message is dropped).
    sequences.sequence_step_save(
        campaign=campaign,
        step=step,
        channel="inbox",
        wait_minutes=2 * 24 * 60,
        condition=Condition.NOT_OPENED,
        messages=[{"locale": "es-MX", "title": "Solo quien no abrió", "body": "Hola"}],
    )
    assert set(Message.objects.filter(step=step.pk).values_list("locale", flat=True)) == {"es-MX"}
    assert sequences.steps_due_run(now=LAUNCH + timedelta(days=2) - hours(0.1)) == 0
    assert sequences.steps_due_run(now=LAUNCH + timedelta(days=2)) == 1
    assert creators_of(campaign, step=step.pk) == set(index) - opened
    send_all(campaign)
    assert InboxMessage.objects.filter(title="Solo quien no abrió").count() == len(
        set(index) - opened
    )
    assert not InboxMessage.objects.filter(title="Para todos").exists()


def test_a_removed_step_is_skipped_and_the_next_waits_from_the_last_step_that_ran(
    transactional_db, settings
):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, index = campaign_with_creators(6)
    first = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=24 * 60,
        messages=step_messages("Primero"),
    )
    launch(campaign)
    send_all(campaign)
    second = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=48 * 60,
        messages=step_messages("Segundo"),
    )
    third = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=12 * 60,
        messages=step_messages("Tercero"),
    )
    sequences.sequence_step_remove(step=second)

    assert sequences.steps_due_run(now=LAUNCH + timedelta(days=1)) == 1
    upcoming = sequences.step_next(campaign=campaign, run=campaign.last_run)
    assert upcoming.step == third
    assert upcoming.due_at == LAUNCH + timedelta(days=1, hours=12)
    assert sequences.steps_due_run(now=LAUNCH + timedelta(days=1, hours=12)) == 1
    assert creators_of(campaign, step=second.pk) == set()
    assert creators_of(campaign, step=third.pk) == set(index)
    assert creators_of(campaign, step=first.pk) == set(index)


def test_a_step_that_ran_is_read_only(transactional_db, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, _index = campaign_with_creators(4)
    step = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=60, messages=step_messages("Hola")
    )
    later = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=60, messages=step_messages("Luego")
    )
    launch(campaign)
    assert sequences.steps_due_run(now=LAUNCH + hours(1)) == 1

    with pytest.raises(CampaignIncomplete):
        sequences.sequence_step_save(
            campaign=campaign,
            step=step,
            channel="inbox",
            wait_minutes=0,
            messages=step_messages("Otra cosa"),
        )
    with pytest.raises(CampaignIncomplete):
        sequences.sequence_step_remove(step=step)
    with pytest.raises(CampaignIncomplete):
        sequences.sequence_step_move(step=later, offset=-1)
    step.refresh_from_db()
    assert (step.wait_minutes, step.removed) == (60, False)
    assert Message.objects.get(step=step.pk, locale="es-MX").fields["title"] == "Hola"


def test_a_cancelled_campaign_takes_no_step(db):
    campaign, _index = campaign_with_creators(2)
    campaign.status = Campaign.Status.CANCELLED
    campaign.save(update_fields=["status"])
    with pytest.raises(CampaignIncomplete):
        sequences.sequence_step_save(
            campaign=campaign, channel="inbox", wait_minutes=0, messages=step_messages("x")
        )
    assert not SequenceStep.objects.filter(campaign=campaign).exists()


def test_no_late_entrants_once_the_run_has_finished(transactional_db, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, _opened, _not_opened = _sent(6)
    sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=0, messages=step_messages("Hola")
    )
    newcomer = creators_make(1, start=100)[0]
    assert Creator.objects.filter(pk=newcomer.pk).exists()

    assert sequences.entrants_add(campaign=Campaign.objects.get(pk=campaign.pk)) == 0
    assert not Delivery.objects.filter(campaign=campaign, creator=newcomer).exists()


def test_a_bad_template_in_any_language_is_refused_with_its_line_and_cause(db):
    campaign, _index = campaign_with_creators(2)
    with pytest.raises(StepMessagesInvalid) as refused:
        sequences.sequence_step_save(
            campaign=campaign,
            channel="email",
            wait_minutes=60,
            messages=[
                {"locale": "es-MX", "subject": "Hola", "html": "<p>Hola</p>"},
                {"locale": "en", "subject": "Hi", "html": "<p>Hi</p>\n<p>{{ creator.name </p>"},
            ],
        )
    problems = refused.value.problems
    assert list(problems) == ["en"]
    assert problems["en"][0]["field"] == "html" and problems["en"][0]["line"] == 2
    assert problems["en"][0]["cause"]
    assert not SequenceStep.objects.filter(campaign=campaign).exists()
    assert not Message.objects.filter(campaign=campaign, step__gt=0).exists()


def test_a_step_needs_the_default_language(db):
    campaign, _index = campaign_with_creators(2)
    with pytest.raises(CampaignIncomplete):
        sequences.sequence_step_save(
            campaign=campaign,
            channel="whatsapp",
            wait_minutes=60,
            messages=[{"locale": "en", "body": "Hi"}],
        )
    assert not SequenceStep.objects.filter(campaign=campaign).exists()
