"""Items added by hand join the checklist; a required one blocks launch until ticked off."""

import pytest

from campaigns import services as campaign_services
from campaigns.models import Campaign
from programs.exceptions import CampaignNotReady
from programs.models import ManualChecklistItem
from tests.support.factories import creators_make, program_make


def test_required_item_added_by_hand_blocks_until_done(db, role_client, settings, loopback_site):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    creators_make(2)
    site = loopback_site.url
    campaign = program_make(
        rules_url=f"{site}/ok", faq_url=f"{site}/ok", landing_url=f"{site}/ok"
    ).campaign
    client = role_client("editor")

    page = client.post(
        f"/programs/readiness/{campaign.pk}/items/",
        {"label": "Banner aprobado por la marca", "required": "on"},
    ).content.decode()
    assert "Banner aprobado por la marca" in page
    with pytest.raises(CampaignNotReady):
        campaign_services.campaign_launch(campaign=campaign)

    item = ManualChecklistItem.objects.get()
    client.post(f"/programs/readiness/{campaign.pk}/items/{item.pk}/", {"done": "1"})
    campaign_services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
