"""In Chromium: the segment builder's "Replied on WhatsApp to a campaign" rule takes a campaign
id and a number of days, and the preview counts exactly the creators who answered that
campaign within those days."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from campaigns.models import Delivery
from conversations import services
from tests.conversations.conftest import inbound_params
from tests.support.browser import shot
from tests.tracking.conftest import sent_campaign

pytestmark = pytest.mark.browser


def test_builder_counts_who_replied_to_a_campaign_within_days(page, login_as):
    campaign = sent_campaign(3, channels=("whatsapp",), sent_ago=600)
    creators = [
        d.creator
        for d in Delivery.objects.filter(campaign=campaign).select_related("creator").order_by("id")
    ]
    webhook_id = services.inbound_webhook_store(
        params=inbound_params(wa_id="521" + creators[0].phone[3:], body="¡Me apunto!")
    )
    assert webhook_id is not None
    services.inbound_webhook_process(webhook_id=webhook_id)

    login_as("editor")
    page.goto("/segments/new/")
    page.get_by_role("button", name="Add rule").first.click()
    rule = page.locator(".builder-rule").last
    rule.get_by_label("Field").select_option(label="Replied on WhatsApp to a campaign")
    rule.get_by_label("Campaign (id)").fill(str(campaign.pk))
    rule.get_by_label("days").fill("7")
    expect(page.get_by_test_id("segment-count")).to_have_text("1")
    shot(page, "replied-within-days")
    rules = json.loads(page.locator("textarea[name=rules]").input_value())
    leaf = rules["all"][-1] if "all" in rules else rules
    assert leaf == {
        "field": "whatsapp_replied_campaign_days",
        "op": "within_days",
        "value": {"campaign": campaign.pk, "days": 7},
    }
    rule.get_by_label("Operator").select_option("not_within_days")
    rule.get_by_label("Campaign (id)").fill(str(campaign.pk))
    expect(page.get_by_test_id("segment-count")).to_have_text("2")
