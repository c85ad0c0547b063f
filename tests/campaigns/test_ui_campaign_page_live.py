"""Every part of the campaign page follows the run: the deliveries rows and the opens-and-
clicks card poll their partials while it moves (the card a while after, for late receipts),
a scheduled campaign's progress box polls so the page refreshes when it starts, and nothing
polls once the campaign has settled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import fanout
from campaigns.models import Campaign, Delivery
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign() -> Campaign:
    creators_make(6)
    campaign = campaign_make(channels=("email",))
    Campaign.objects.filter(pk=campaign.pk).update(status="sending", last_run=1)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=1)
    return campaign


def _set(campaign: Campaign, **fields) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(**fields)


def test_deliveries_rows_poll_while_sending_and_follow_the_statuses(role_client, campaign):
    client = role_client("analyst")
    html = client.get(f"/campaigns/{campaign.pk}/?channel=email").content.decode()
    assert (
        f'hx-get="/campaigns/{campaign.pk}/deliveries/?channel=email" hx-trigger="every 3s"' in html
    )
    Delivery.objects.filter(campaign=campaign).update(status="sent")
    rows = client.get(f"/campaigns/{campaign.pk}/deliveries/?channel=email").content.decode()
    assert rows.count("status-sent") == 6 and "status-pending" not in rows
    assert rows.count("/creators/") == 6  # each row links its creator


def test_nothing_polls_once_settled(role_client, campaign):
    _set(campaign, status="sent", finished_at=timezone.now() - timedelta(hours=1))
    html = role_client("analyst").get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "hx-trigger" not in html
    assert ">Pause</button>" not in html and ">Cancel campaign</button>" not in html


def test_opens_card_keeps_polling_a_while_after_the_run_ends(role_client, campaign):
    client = role_client("analyst")
    _set(campaign, status="sent", finished_at=timezone.now() - timedelta(minutes=1))
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'hx-get="/stats/campaigns/{campaign.pk}/summary/"' in html
    card = client.get(f"/stats/campaigns/{campaign.pk}/summary/").content.decode()
    assert card.startswith("<section") and 'id="opens-clicks"' in card
    assert 'data-summary-channel="email"' in card


def test_scheduled_campaign_progress_polls_and_refreshes_when_it_starts(role_client, campaign):
    client = role_client("analyst")
    _set(campaign, status="scheduled")
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f"/campaigns/{campaign.pk}/progress/?seen=scheduled" in html
    _set(campaign, status="sending")
    response = client.get(f"/campaigns/{campaign.pk}/progress/?seen=scheduled")
    assert response["HX-Refresh"] == "true"


def test_live_partials_need_the_permission_and_a_campaign(client, role_client, campaign):
    for url in (
        f"/campaigns/{campaign.pk}/deliveries/",
        f"/stats/campaigns/{campaign.pk}/summary/",
    ):
        assert client.get(url).status_code == 302  # sign in first
    analyst = role_client("analyst")
    assert analyst.get("/campaigns/999999/deliveries/").status_code == 404
    assert analyst.get("/stats/campaigns/999999/summary/").status_code == 404
    assert (
        analyst.get(f"/campaigns/{campaign.pk}/deliveries/?page=abc&status=zz").status_code == 200
    )


def test_a_launched_campaign_links_to_its_retargeting(role_client, campaign):
    html = role_client("editor").get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'href="/stats/campaigns/{campaign.pk}/#retarget" id="retarget-link"' in html
    html = role_client("analyst").get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="retarget-link"' not in html  # analysts cannot make segments
