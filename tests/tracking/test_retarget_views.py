"""The stats page's retargeting and export controls: stable ids, one click to a segment or a
follow-up draft, permissions, and no 500 on bad input."""

from __future__ import annotations

import re

import pytest

from campaigns.models import Campaign
from segments.models import Segment
from tests.tracking.engagement import engaged_campaign_make

pytestmark = pytest.mark.django_db

BUTTONS = (
    "retarget-clicked",
    "retarget-opened-not-clicked",
    "retarget-not-opened",
    "retarget-not-reached",
)


@pytest.fixture
def campaign() -> Campaign:
    return engaged_campaign_make()


def test_stats_page_offers_each_retarget_and_the_export(role_client, campaign):
    html = role_client("editor").get(f"/stats/campaigns/{campaign.pk}/").content.decode()
    for button in BUTTONS:
        assert f'id="{button}"' in html
        assert f'id="follow-up-{button.removeprefix("retarget-")}"' in html
    assert 'id="export-deliveries"' in html and 'id="export-outcome"' in html
    assert f'action="/stats/campaigns/{campaign.pk}/deliveries.csv"' in html


def test_analyst_sees_no_retarget_buttons_and_gets_403(role_client, campaign):
    client = role_client("analyst")
    html = client.get(f"/stats/campaigns/{campaign.pk}/").content.decode()
    assert 'id="retarget-clicked"' not in html and 'id="export-deliveries"' in html
    before = Segment.objects.count()
    response = client.post(f"/stats/campaigns/{campaign.pk}/retarget/", {"choice": "clicked"})
    assert response.status_code == 403
    response = client.post(f"/stats/campaigns/{campaign.pk}/follow-up/", {"choice": "clicked"})
    assert response.status_code == 403
    assert Segment.objects.count() == before


def test_retarget_redirects_to_the_new_segment(role_client, campaign):
    response = role_client("editor").post(
        f"/stats/campaigns/{campaign.pk}/retarget/", {"choice": "not_opened"}
    )
    segment = Segment.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == segment.get_absolute_url()
    assert segment.kind == Segment.Kind.STATIC and campaign.name in segment.name


def test_follow_up_redirects_to_the_new_drafts_audience_step(role_client, campaign):
    client = role_client("editor")
    response = client.post(f"/stats/campaigns/{campaign.pk}/follow-up/", {"choice": "not_opened"})
    follow_up = Campaign.objects.latest("pk")
    assert follow_up.pk != campaign.pk and follow_up.status == Campaign.Status.DRAFT
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{follow_up.pk}/audience/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    selected = re.search(r'<option value="(\d+)" selected', page.content.decode())
    assert selected and int(selected.group(1)) == follow_up.segment_id


@pytest.mark.parametrize("choice", ["", "opened", "x" * 5000, "clicked\x01"])
def test_bad_choice_is_a_400_that_saves_nothing(role_client, campaign, choice):
    before = (Segment.objects.count(), Campaign.objects.count())
    client = role_client("editor")
    for url in ("retarget", "follow-up"):
        response = client.post(f"/stats/campaigns/{campaign.pk}/{url}/", {"choice": choice})
        assert response.status_code == 400
    assert (Segment.objects.count(), Campaign.objects.count()) == before


def test_get_is_refused_and_missing_campaign_is_a_404(role_client, campaign):
    client = role_client("editor")
    assert client.get(f"/stats/campaigns/{campaign.pk}/retarget/").status_code == 405
    response = client.post("/stats/campaigns/999999/retarget/", {"choice": "clicked"})
    assert response.status_code == 404
    response = client.post("/stats/campaigns/999999/follow-up/", {"choice": "clicked"})
    assert response.status_code == 404


def test_stats_page_states_the_machine_open_and_bot_click_rules(role_client, campaign, settings):
    settings.TRACKING_BOT_CLICK_SECONDS = 7
    settings.TRACKING_BURST_LINKS = 3
    settings.TRACKING_BURST_SECONDS = 4
    html = role_client("analyst").get(f"/stats/campaigns/{campaign.pk}/").content.decode()
    rules = html[html.index('id="machine-open-rules"') : html.index("</details>")]
    assert "Mozilla/5.0" in rules and "HEAD" in rules and "machine open" in rules
    assert "less than 7 s after" in rules
    assert "clicks on 3 or more different links" in rules and "within 4 s" in rules
