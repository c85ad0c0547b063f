"""Sending policies through the API and the admin: set, validated, shown."""

from campaigns.models import Campaign
from tests.support.factories import campaign_make


def test_api_sets_the_policies_of_a_draft(api_client, db):
    campaign = campaign_make(channels=("whatsapp", "push", "email"))

    response = api_client.put(
        f"/api/campaigns/{campaign.pk}/policies",
        {
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "09:00",
            "spread_seconds": 7200,
            "channel_priority": ["whatsapp", "push", "email"],
            "variant_weights": {"A": 50, "B": 50},
            "holdout_percent": "10",
            "test_percent": "20",
            "winner_metric": "or",
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    campaign.refresh_from_db()
    assert (str(campaign.quiet_hours_start), campaign.spread_seconds) == ("21:00:00", 7200)
    assert campaign.channel_priority == ["whatsapp", "push", "email"]
    assert (campaign.variant_weights, campaign.winner_metric) == ({"A": 50, "B": 50}, "or")


def test_api_refuses_policies_that_cannot_be_sent(api_client, db):
    campaign = campaign_make(channels=("push",))
    for bad in (
        {"channel_priority": ["whatsapp", "push"]},
        {"variant_weights": {"A": 0}},
        {"holdout_percent": "100"},
        {"quiet_hours_start": "21:00"},
        {"test_percent": "20", "variant_weights": {"A": 1}},
    ):
        response = api_client.put(
            f"/api/campaigns/{campaign.pk}/policies", bad, content_type="application/json"
        )
        assert response.status_code == 400, bad
    assert Campaign.objects.get(pk=campaign.pk).channel_priority == []


def test_admin_campaign_page_shows_the_policies(admin_client, db):
    campaign = campaign_make(channels=("push",))
    response = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    assert response.status_code == 200
    for name in ("quiet_hours_start", "channel_priority", "variant_weights", "holdout_percent"):
        assert f'name="{name}"' in response.content.decode()
