"""In Chromium: the segment builder offers behaviour leaves beside the fields; picking
"Clicked" with a campaign and a number of days writes the leaf and the live count follows."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Delivery
from tests.support.browser import shot
from tests.support.factories import campaign_make, creator_make

pytestmark = pytest.mark.browser


def test_builder_counts_who_clicked_a_campaign(page, login_as):
    campaign = campaign_make(channels=("email",), kind="announcement")
    clicker, reader, _silent = (creator_make(handle) for handle in ("ana", "beto", "caro"))
    for creator, clicked in ((clicker, True), (reader, False)):
        Delivery.objects.create(
            campaign=campaign,
            channel="email",
            creator=creator,
            locale="es-MX",
            status=Delivery.Status.SENT,
            sent_at=timezone.now(),
            first_opened_at=timezone.now(),
            first_clicked_at=timezone.now() if clicked else None,
        )

    login_as("editor")
    page.goto("/segments/new/")
    page.get_by_role("button", name="Add rule").first.click()
    rule = page.locator(".builder-rule").last
    rule.get_by_label("Field").select_option(label="Clicked")
    rule.get_by_label("Campaign (id)").fill(str(campaign.pk))
    rule.get_by_label("Within the last (days)").fill("7")
    expect(page.get_by_test_id("segment-count")).to_have_text("1")
    shot(page, "behaviour-clicked")
    rules = json.loads(page.locator("textarea[name=rules]").input_value())
    leaf = rules["all"][-1] if "all" in rules else rules
    assert leaf == {"behaviour": "clicked", "campaign_id": campaign.pk, "within_days": 7}

    rule.get_by_label("Field").select_option(label="Opened")
    rule.get_by_label("or any campaign of the kind").select_option("announcement")
    expect(page.get_by_test_id("segment-count")).to_have_text("2")
