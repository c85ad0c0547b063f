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
from segments.labels import builder_fields
from segments.rules import rules_compile
from tests.conversations.conftest import inbound_params, inbound_post
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
