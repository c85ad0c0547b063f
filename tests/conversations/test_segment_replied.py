"""Segment rules on WhatsApp replies: `whatsapp_replied_at` (the last reply, any campaign:
within N days, not within, set, before/after a date) and `whatsapp_replied_campaign` (replied
to that campaign). Keywords are not replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Delivery
from conversations.models import Message
from creators.models import Creator
from segments.exceptions import SegmentRulesInvalid
from segments.labels import builder_fields
from segments.rules import rules_compile
from tests.conversations.conftest import inbound_params, inbound_post
from tests.support.factories import campaign_make
from tests.tracking.conftest import sent_campaign

pytestmark = pytest.mark.django_db


def _handles(rules) -> set[str]:
    return set(Creator.objects.filter(rules_compile(rules)).values_list("handle", flat=True))


def test_reply_rules(client, conversation_settings):
    campaign = sent_campaign(4, channels=("whatsapp",), sent_ago=600)
    deliveries = list(
        Delivery.objects.filter(campaign=campaign).select_related("creator").order_by("id")
    )
    recent, old, keyword_only, silent = (d.creator for d in deliveries)
    inbound_post(client, inbound_params(wa_id="521" + recent.phone[3:], body="¡Sí!"))
    inbound_post(client, inbound_params(wa_id="521" + old.phone[3:], body="Luego veo"))
    Message.objects.filter(conversation__creator=old).update(
        at=timezone.now() - timedelta(days=20), delivery=None, campaign=None
    )
    inbound_post(client, inbound_params(wa_id="521" + keyword_only.phone[3:], body="BAJA"))

    within = {"field": "whatsapp_replied_at", "op": "within_days", "value": 7}
    assert _handles(within) == {recent.handle}
    assert _handles({**within, "op": "not_within_days"}) == {
        old.handle,
        keyword_only.handle,
        silent.handle,
    }
    assert _handles({"field": "whatsapp_replied_at", "op": "is_set", "value": True}) == {
        recent.handle,
        old.handle,
    }
    before = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert _handles({"field": "whatsapp_replied_at", "op": "lt", "value": before}) == {old.handle}
    to_campaign = {"field": "whatsapp_replied_campaign", "op": "eq", "value": campaign.pk}
    assert _handles(to_campaign) == {recent.handle}
    assert _handles({"all": [to_campaign, within]}) == {recent.handle}
    assert _handles({"field": "whatsapp_replied_campaign", "op": "ne", "value": campaign.pk}) == {
        old.handle,
        keyword_only.handle,
        silent.handle,
    }


def test_builder_offers_the_reply_fields():
    fields = {field["name"]: field for field in builder_fields()}
    assert fields["whatsapp_replied_at"]["label"] == "Last WhatsApp reply"
    assert fields["whatsapp_replied_at"]["kind"] == "datetime"
    assert fields["whatsapp_replied_campaign"]["kind"] == "integer"
    assert fields["whatsapp_replied_campaign_days"]["kind"] == "campaign_days"
    assert [op for op, _label in fields["whatsapp_replied_campaign_days"]["ops"]] == [
        "within_days",
        "not_within_days",
    ]


def test_replied_to_campaign_within_days_is_exact(
    client, conversation_settings, django_assert_num_queries
):
    """`whatsapp_replied_campaign_days`: a reply to THAT campaign within the days, one EXISTS in
    the segment's statement; the approximate pair of leaves (replied to the campaign ever, last
    reply to anything recent) also takes a creator whose recent reply went to another one."""
    campaign = sent_campaign(6, channels=("whatsapp",), sent_ago=600)
    other = campaign_make(channels=("whatsapp",), name="Otra misión")
    creators = [
        d.creator
        for d in Delivery.objects.filter(campaign=campaign).select_related("creator").order_by("id")
    ]
    recent, old, switched, keyword_only, silent, elsewhere = creators

    def reply(creator, body: str) -> Message:
        inbound_post(client, inbound_params(wa_id="521" + creator.phone[3:], body=body))
        return Message.objects.filter(direction="in").latest("id")

    reply(recent, "¡Sí!")
    twenty_days_ago = timezone.now() - timedelta(days=20)
    Message.objects.filter(pk=reply(old, "Luego").pk).update(at=twenty_days_ago)
    Message.objects.filter(pk=reply(switched, "Primero").pk).update(at=twenty_days_ago)
    Message.objects.filter(pk=reply(switched, "Ahora otra").pk).update(campaign=other)
    reply(keyword_only, "BAJA")
    Message.objects.filter(pk=reply(elsewhere, "Hola").pk).update(campaign=other)
    now = timezone.now()

    def recount(campaign_id: int, days: int) -> set[str]:
        since = now - timedelta(days=days)
        return {
            str(message.conversation.creator and message.conversation.creator.handle)
            for message in Message.objects.select_related("conversation__creator")
            if message.direction == "in"
            and not message.keyword
            and message.campaign_id == campaign_id
            and message.at >= since
        }

    def rule(campaign_id: int, days: int, op: str = "within_days") -> dict:
        value = {"campaign": campaign_id, "days": days}
        return {"field": "whatsapp_replied_campaign_days", "op": op, "value": value}

    everyone = {creator.handle for creator in creators}
    for campaign_id, days in ((campaign.pk, 7), (campaign.pk, 30), (other.pk, 7), (10**9, 7)):
        expected = recount(campaign_id, days)
        query = Creator.objects.filter(rules_compile(rule(campaign_id, days), now=now))
        with django_assert_num_queries(1):
            assert set(query.values_list("handle", flat=True)) == expected
        assert "EXISTS" in str(query.query)
        negated = rules_compile(rule(campaign_id, days, "not_within_days"), now=now)
        assert set(Creator.objects.filter(negated).values_list("handle", flat=True)) == (
            everyone - expected
        )
    assert recount(campaign.pk, 7) == {recent.handle}
    assert recount(campaign.pk, 30) == {recent.handle, old.handle, switched.handle}
    assert recount(other.pk, 7) == {switched.handle, elsewhere.handle}
    approximate = {
        "all": [
            {"field": "whatsapp_replied_campaign", "op": "eq", "value": campaign.pk},
            {"field": "whatsapp_replied_at", "op": "within_days", "value": 7},
        ]
    }
    assert switched.handle in _handles(approximate)  # why the exact rule exists


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (7, "value"),
        ({"campaign": 1}, "value.days"),
        ({"campaign": "1", "days": 7}, "value.campaign"),
        ({"campaign": 1, "days": 0}, "value.days"),
        ({"campaign": 1, "days": 7, "x": 1}, "value.x"),
    ],
)
def test_replied_to_campaign_within_days_refuses_bad_values(value, path):
    with pytest.raises(SegmentRulesInvalid) as caught:
        rules_compile(
            {"field": "whatsapp_replied_campaign_days", "op": "within_days", "value": value}
        )
    assert caught.value.path == path
