"""A mission missing a message, with a broken link and an unpublished guide, cannot launch."""

from __future__ import annotations

import pytest

from campaigns import services as campaign_services
from campaigns.models import Campaign
from common.exceptions import AltavozError
from programs import readiness
from programs.exceptions import CampaignNotReady
from tests.support.factories import creators_make, program_make


@pytest.fixture
def guide():
    """The guide the mission links to: a real education item, in review (not published)."""
    from education.models import ContentItem
    from education.services import content_item_transition, content_version_save

    item = ContentItem.objects.create(slug="guia-live", kind="guide", topic="selling_live", level=1)
    content_version_save(item=item, locale="es-MX", title="Guía LIVE", summary="", body="…")
    content_item_transition(item=item, status="in_review")
    return item


def _inbox(url: str) -> dict:
    return {
        "channel": "inbox",
        "locale": "es-MX",
        "title": "Misión LIVE",
        "body": "Hola {{ creator.first_name }}: {{ link('"
        + url
        + "') }} y la guía {{ learn('guia-live') }}",
    }


def _failing(campaign: Campaign) -> list[str]:
    return [item.key for item in readiness.campaign_checklist(campaign=campaign).failing]


def test_three_failing_items_block_launch_until_fixed(db, settings, loopback_site, guide):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    creators_make(3)
    site = loopback_site.url
    program = program_make(
        messages=[
            _inbox(f"{site}/missing"),
            {"channel": "push", "locale": "en", "title": "LIVE mission", "body": "Go"},
        ],
        locales=["es-MX"],
        rules_url=f"{site}/ok",
        faq_url=f"{site}/ok",
        landing_url=f"{site}/ok",
    )
    campaign = program.campaign

    assert _failing(campaign) == [
        "message:push:es-MX",
        f"link:{site}/missing",
        "guide:guia-live",
    ]
    checklist = readiness.campaign_checklist(campaign=campaign)
    assert checklist.score < 100 and all(item.fix for item in checklist.failing)
    with pytest.raises(AltavozError):
        campaign_services.campaign_launch(campaign=campaign)

    campaign_services.campaign_message_set(
        campaign=campaign,
        channel="push",
        locale="es-MX",
        fields={"title": "Misión LIVE", "body": "Vamos"},
    )
    with pytest.raises(CampaignNotReady) as refused:
        campaign_services.campaign_launch(campaign=campaign)
    assert len(refused.value.failing) == 2

    fixed = _inbox(f"{site}/ok")
    campaign_services.campaign_message_set(
        campaign=campaign,
        channel="inbox",
        locale="es-MX",
        fields={key: value for key, value in fixed.items() if key not in ("channel", "locale")},
    )
    from education.services import content_item_transition

    content_item_transition(item=guide, status="published")

    assert _failing(campaign) == []
    campaign_services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING


def test_a_message_that_renders_empty_for_a_real_creator_fails(db):
    from creators.models import Creator

    Creator.objects.create(handle="sin_nombre", name="", consent_email="granted")
    program = program_make(
        messages=[
            {"channel": "inbox", "locale": "es-MX", "title": "{{ creator.name }}", "body": "Hola"}
        ],
        rules_url="https://rules.example/",
    )
    item = next(
        item
        for item in readiness.campaign_checklist(campaign=program.campaign, checker=None).items
        if item.key == "message:inbox:es-MX"
    )
    assert not item.ok and "sin_nombre" in item.detail


def test_campaigns_without_a_program_are_not_gated(db):
    from tests.support.factories import campaign_make

    creators_make(2)
    campaign = campaign_make(channels=("inbox",))
    campaign_services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
