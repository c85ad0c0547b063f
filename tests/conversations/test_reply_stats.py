"""Replies as engagement: a reply is attributed to the WhatsApp delivery it quotes, else to
the latest one sent to the creator within 72 hours; campaign stats (API and page) show
`replied`, reply rate, opt-outs apart and button presses, equal to a recount of the stored
messages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from campaigns import fanout
from campaigns import services as campaign_services
from campaigns.models import Campaign, Delivery
from conversations.models import Message
from tests.campaigns.factories import campaign_make
from tests.conversations.conftest import inbound_params, inbound_post
from tests.tracking.conftest import sent_campaign

pytestmark = pytest.mark.django_db


def _wa_id(delivery: Delivery) -> str:
    return "521" + delivery.creator.phone[3:]


@pytest.fixture
def whatsapp_campaign(conversation_settings, fake_providers) -> Campaign:
    conversation_settings.TRACKING_DELIVERY_COUNTS_TTL = 0
    campaign = sent_campaign(12, channels=("whatsapp",), sent_ago=3600)
    for delivery in Delivery.objects.filter(campaign=campaign):
        delivery.provider_message_id = f"SM{delivery.pk:032x}"
        delivery.save(update_fields=["provider_message_id"])
    return campaign


def _second_campaign(sent_ago: timedelta) -> Campaign:
    campaign = campaign_make(channels=("whatsapp",), name="Misión de diciembre")
    campaign_services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    Delivery.objects.filter(campaign=campaign).update(
        status=Delivery.Status.SENT, sent_at=timezone.now() - sent_ago, provider_message_id=""
    )
    return campaign


def test_quoted_message_wins_over_the_latest_delivery(client, whatsapp_campaign):
    later = _second_campaign(timedelta(minutes=5))
    first = Delivery.objects.filter(campaign=whatsapp_campaign).select_related("creator").first()
    assert first is not None
    inbound_post(
        client,
        inbound_params(
            wa_id=_wa_id(first),
            body="Sobre la primera",
            OriginalRepliedMessageSid=first.provider_message_id,
        ),
    )
    inbound_post(client, inbound_params(wa_id=_wa_id(first), body="¿Y la segunda?"))
    quoted, unquoted = Message.objects.order_by("id")
    assert (quoted.delivery_id, quoted.campaign_id) == (first.pk, whatsapp_campaign.pk)
    latest = Delivery.objects.get(campaign=later, creator=first.creator)
    assert (unquoted.delivery_id, unquoted.campaign_id) == (latest.pk, later.pk)


def test_reply_after_72_hours_is_not_attributed(client, whatsapp_campaign):
    Delivery.objects.filter(campaign=whatsapp_campaign).update(
        sent_at=timezone.now() - timedelta(hours=73)
    )
    delivery = Delivery.objects.filter(campaign=whatsapp_campaign).select_related("creator").first()
    inbound_post(client, inbound_params(wa_id=_wa_id(delivery), body="hola"))
    assert Message.objects.get().delivery_id is None


def recount(campaign: Campaign) -> dict:
    replies = Message.objects.filter(direction="in", delivery__campaign=campaign)
    buttons: dict[str, int] = {}
    for payload in replies.exclude(button_payload="").values_list("button_payload", flat=True):
        buttons[payload] = buttons.get(payload, 0) + 1
    return {
        "replied": len(set(replies.filter(keyword="").values_list("delivery_id", flat=True))),
        "opted_out": len(
            set(replies.filter(keyword="opt_out").values_list("delivery_id", flat=True))
        ),
        "buttons": buttons,
    }


def _cell(html: str, figure: str) -> str:
    table = re.search(r'<table class="stats" id="replies">(.*?)</table>', html, re.S)
    assert table is not None
    value = re.search(rf'data-figure="{figure}"[^>]*>([^<]*)<', table.group(1))
    assert value is not None
    return value.group(1).strip()


def test_stats_equal_a_recount_of_stored_messages(
    client, api_client, whatsapp_campaign, django_user_model
):
    deliveries = list(
        Delivery.objects.filter(campaign=whatsapp_campaign).select_related("creator").order_by("id")
    )
    # Two messages from the same creator count one reply; buttons count per press.
    inbound_post(client, inbound_params(wa_id=_wa_id(deliveries[0]), body="¡Me interesa!"))
    inbound_post(client, inbound_params(wa_id=_wa_id(deliveries[0]), body="¿Cuándo empieza?"))
    for delivery, payload in zip(deliveries[1:4], ["accept", "accept", "decline"], strict=True):
        inbound_post(
            client,
            inbound_params(
                wa_id=_wa_id(delivery),
                body=payload,
                ButtonPayload=payload,
                ButtonText=payload,
                OriginalRepliedMessageSid=delivery.provider_message_id,
            ),
        )
    inbound_post(client, inbound_params(wa_id=_wa_id(deliveries[4]), body="BAJA"))
    inbound_post(client, inbound_params(wa_id=_wa_id(deliveries[5]), body="Stop."))
    inbound_post(client, inbound_params(wa_id="14155550100", body="unknown number"))

    expected = recount(whatsapp_campaign)
    assert expected == {"replied": 4, "opted_out": 2, "buttons": {"accept": 2, "decline": 1}}

    body = api_client.get(f"/api/campaigns/{whatsapp_campaign.pk}/stats").json()
    whatsapp = body["channels"]["whatsapp"]
    assert (whatsapp["replied"], whatsapp["opted_out"]) == (4, 2)
    assert whatsapp["reply_rate"] == pytest.approx(4 / whatsapp["sent"])
    assert body["buttons"] == {"accept": 2, "decline": 1}
    assert body["totals"]["replied"] == 4
    assert body["channels"]["email"]["replied"] == 0

    user = django_user_model.objects.create_user(username="analyst", password="x")
    user.groups.add(Group.objects.get(name="analyst"))
    client.force_login(user)
    html = client.get(f"/stats/campaigns/{whatsapp_campaign.pk}/").content.decode()
    assert _cell(html, "replied") == "4"
    assert _cell(html, "opted_out") == "2"
    assert 'data-payload="accept"><td class="text">accept</td><td data-figure="presses">2<' in html
