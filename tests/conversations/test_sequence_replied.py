"""The `replied` sequence exit rule: a creator who answered one of the campaign's WhatsApp
messages leaves its later steps (an opt-out keyword is not a reply)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campaigns import fanout, sequences
from campaigns import services as campaign_services
from campaigns.models import Delivery
from tests.campaigns.factories import campaign_make, creators_make
from tests.campaigns.sequence_rig import step_messages
from tests.conversations.conftest import inbound_params, inbound_post

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
