"""Role limits are enforced on the URL: a forbidden request is a 403 and changes nothing."""

from __future__ import annotations

import pytest

from campaigns.models import Campaign
from tests.support.factories import campaign_make

pytestmark = pytest.mark.django_db


def test_analyst_reads_but_gets_403_on_every_write(role_client):
    campaign = campaign_make()
    client = role_client("analyst")
    for url in (
        "/campaigns/",
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/review/",
        f"/campaigns/{campaign.pk}/progress/",
    ):
        assert client.get(url).status_code == 200, url
    assert ">New campaign<" not in client.get("/campaigns/").content.decode()
    posts = {
        "/campaigns/new/": {"name": "x", "kind": "mission", "market": "MX", "default_locale": "en"},
        f"/campaigns/{campaign.pk}/basics/": {"name": "x", "kind": "mission"},
        f"/campaigns/{campaign.pk}/audience/": {
            "segment": campaign.segment_id,
            "channels": ["push"],
        },
        f"/campaigns/{campaign.pk}/messages/": {"channel": "push", "locale": "en", "title": "x"},
        f"/campaigns/{campaign.pk}/messages/preview/": {"channel": "push", "locale": "en"},
        f"/campaigns/{campaign.pk}/schedule/": {"mode": "now"},
        f"/campaigns/{campaign.pk}/test-send/": {"recipients": "a@example.com", "locale": "en"},
        f"/campaigns/{campaign.pk}/submit/": {},
        f"/campaigns/{campaign.pk}/launch/": {},
        f"/campaigns/{campaign.pk}/pause/": {},
        f"/campaigns/{campaign.pk}/resume/": {},
        f"/campaigns/{campaign.pk}/cancel/": {},
        f"/campaigns/{campaign.pk}/resend/": {"delivery": [1]},
        f"/campaigns/{campaign.pk}/approve/": {},
        f"/campaigns/{campaign.pk}/reject/": {"note": "no"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert client.get("/campaigns/new/").status_code == 403
    assert client.get("/campaigns/approvals/").status_code == 403
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status, Campaign.objects.count()) == (
        "Misión de noviembre",
        "draft",
        1,
    )


def test_editor_gets_403_on_launch_pause_and_approve_when_approval_is_required(
    role_client, settings
):
    settings.REQUIRE_APPROVAL = True
    campaign = campaign_make()
    client = role_client("editor")
    assert client.get("/campaigns/new/").status_code == 200
    for action in ("launch", "pause", "resume", "cancel", "approve", "resend"):
        assert client.post(f"/campaigns/{campaign.pk}/{action}/").status_code == 403, action
    assert client.post(f"/campaigns/{campaign.pk}/reject/", {"note": "x"}).status_code == 403
    assert client.get("/campaigns/approvals/").status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_anonymous_users_are_sent_to_the_login_page(client):
    campaign = campaign_make()
    for url in ("/campaigns/", f"/campaigns/{campaign.pk}/", "/campaigns/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
