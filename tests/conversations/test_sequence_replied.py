"""The `replied` sequence exit rule: a creator who answered one of the campaign's WhatsApp
messages leaves its later steps (an opt-out keyword is not a reply); and the `replied` /
`not_replied` step conditions, on the previous step's WhatsApp message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import fanout, sequences, tasks
from campaigns import services as campaign_services
from campaigns.models import Delivery, SequenceStep
from conversations.models import Message
from tests.campaigns.sequence_rig import step_messages
from tests.conversations.conftest import inbound_params, inbound_post
from tests.support.factories import MESSAGES, campaign_make, creators_make

pytestmark = pytest.mark.django_db


def test_a_creator_who_replied_exits_the_sequence(client, conversation_settings):
    creators = creators_make(4)
    campaign = campaign_make(channels=("whatsapp",))
    campaign.sequence_exit = ["replied"]
    campaign.save(update_fields=["sequence_exit"])
    step = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=60, messages=step_messages("¿Y?")
    )
    campaign_services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    Delivery.objects.filter(campaign=campaign).update(
        status=Delivery.Status.SENT, sent_at=timezone.now()
    )

    def audience() -> int:
        return sequences.step_audience_count(step=step, run=campaign.last_run, now=timezone.now())

    assert audience() == 4
    inbound_post(client, inbound_params(wa_id="521" + creators[0].phone[3:], body="¡Sí!"))
    assert audience() == 3
    inbound_post(client, inbound_params(wa_id="521" + creators[1].phone[3:], body="ALTA"))
    assert audience() == 3  # a keyword is not a reply
    flows = {flow.label: flow for flow in sequences.sequence_flow_get(campaign=campaign)}
    assert flows["0"].exited == 1


def _whatsapp_step_messages() -> list[dict]:
    return [{"locale": locale, **MESSAGES["whatsapp"]} for locale in ("es-MX", "en")]


def _mark_sent(campaign, *, step: int, at) -> None:
    Delivery.objects.filter(campaign=campaign, step=step).update(
        status=Delivery.Status.SENT, sent_at=at
    )


def _reached(campaign, step) -> set[int]:
    return set(
        Delivery.objects.filter(campaign=campaign, step=step.pk).values_list(
            "creator_id", flat=True
        )
    )


def test_replied_and_not_replied_steps_follow_the_previous_steps_whatsapp(
    client, conversation_settings
):
    """Step 1 goes only to who answered the campaign's own WhatsApp message, step 2 only to
    who did not answer step 1's, both run by the beat task on a clock past their wait."""
    creators = creators_make(6)
    campaign = campaign_make(channels=("whatsapp",))
    replied = sequences.sequence_step_save(
        campaign=campaign,
        channel="whatsapp",
        wait_minutes=60,
        condition=SequenceStep.Condition.REPLIED,
        messages=_whatsapp_step_messages(),
    )
    silent = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=60,
        condition=SequenceStep.Condition.NOT_REPLIED,
        messages=step_messages("¿Sigues ahí?"),
    )
    campaign_services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    start = timezone.now()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    _mark_sent(campaign, step=0, at=start - timedelta(hours=2))

    def reply(creator, body: str) -> None:
        inbound_post(client, inbound_params(wa_id="521" + creator.phone[3:], body=body))

    reply(creators[0], "¡Me interesa!")
    reply(creators[1], "¿Cuándo empieza?")
    reply(creators[2], "ALTA")  # a keyword is not a reply
    assert sequences.step_audience_count(step=replied, run=campaign.last_run, now=start) == 0
    first_tick = start + timedelta(minutes=61)
    assert tasks.sequence_steps_due(first_tick.isoformat()) == 1
    assert _reached(campaign, replied) == {creators[0].pk, creators[1].pk}

    # Creator 0 answers step 1's message; creator 1 (who answered step 0) does not.
    _mark_sent(campaign, step=replied.pk, at=timezone.now() - timedelta(minutes=1))
    reply(creators[0], "Ya me inscribí")
    answered = set(
        Message.objects.filter(direction="in", keyword="", delivery__step=replied.pk).values_list(
            "conversation__creator_id", flat=True
        )
    )
    assert answered == {creators[0].pk}
    second_tick = first_tick + timedelta(minutes=61)
    assert tasks.sequence_steps_due(second_tick.isoformat()) == 1
    # The recount: everyone who entered (every creator got step 0) but who answered step 1.
    entered = set(
        Delivery.objects.filter(campaign=campaign, step=0).values_list("creator_id", flat=True)
    )
    assert _reached(campaign, silent) == entered - answered
    assert len(entered - answered) == 5
