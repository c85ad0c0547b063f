"""Launching from the wizard goes through a confirmation that counts, per channel, what a
launch would send; the counts are the ones fan-out then produces."""

from __future__ import annotations

from decimal import Decimal

import pytest

from campaigns import fanout
from campaigns.launch_counts import campaign_launch_counts
from campaigns.models import Campaign, Delivery
from creators.models import Creator
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.django_db


def _status_counts(campaign: Campaign, channel: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Delivery.objects.filter(campaign=campaign, channel=channel).values_list(
        "status", flat=True
    ):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_the_counts_are_what_fanout_then_creates(settings):
    settings.PROGRAM_HOLDOUT_PERCENT = 10
    settings.FREQUENCY_CAP = 1
    creators = creators_make(120) + creators_make(40, start=120, whatsapp_window=False)
    Creator.objects.filter(pk__in=[c.pk for c in creators[:15]]).update(consent_email="denied")
    Creator.objects.filter(pk__in=[c.pk for c in creators[15:25]]).update(email="")
    earlier = campaign_make(name="Anterior", channels=("inbox",), locales=("es-MX",))
    fanout.deliveries_create(campaign=earlier, run=1)  # everyone has had one inbox message
    Delivery.objects.filter(campaign=earlier, creator__in=creators[:100]).delete()
    campaign = campaign_make(locales=("es-MX",))
    Campaign.objects.filter(pk=campaign.pk).update(holdout_percent=Decimal(30))
    campaign.refresh_from_db()

    counts = campaign_launch_counts(campaign=campaign)
    fanout.deliveries_create(campaign=campaign, run=1)

    assert counts is not None and counts.total == 160
    rows = {row.channel: row for row in counts.channels}
    email = rows["email"]
    assert (email.consented, email.reachable) == (145, 135)
    assert rows["whatsapp"].outside_window > 0
    assert rows["inbox"].capped > 0 and rows["email"].capped == 0
    for channel, row in rows.items():
        made = _status_counts(campaign, channel)
        assert row.to_send == made.get("pending", 0), channel
        assert row.holdout == made.get("holdout", 0), channel
        assert row.capped == made.get("skipped_cap", 0), channel
        assert row.program_holdout > 0
        assert (
            row.program_holdout + row.outside_window + row.holdout + row.capped + row.to_send
            == row.reachable
        )


def test_the_confirmation_page_shows_the_counts_and_posts_the_launch(role_client):
    creators_make(5)
    campaign = campaign_make(channels=("push", "inbox"), locales=("es-MX",))
    client = role_client("manager")

    review = client.get(f"/campaigns/{campaign.pk}/review/").content.decode()
    page = client.get(f"/campaigns/{campaign.pk}/launch/")

    assert f'href="/campaigns/{campaign.pk}/launch/"' in review
    assert page.status_code == 200
    html = page.content.decode()
    # The counts arrive by htmx from their fragment after the page draws itself.
    assert f'hx-get="/campaigns/{campaign.pk}/launch/counts/"' in html
    counts = client.get(f"/campaigns/{campaign.pk}/launch/counts/").content.decode()
    assert 'data-testid="launch-push-to-send"><strong>5</strong>' in counts
    assert 'id="launch-confirm-button"' in html
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT  # looking is not launching
    response = client.post(f"/campaigns/{campaign.pk}/launch/")
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING


def test_an_incomplete_campaign_shows_why_and_no_launch_button(role_client):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    Campaign.objects.filter(pk=campaign.pk).update(variant_weights={"A": 50, "B": 50})

    html = role_client("manager").get(f"/campaigns/{campaign.pk}/launch/").content.decode()

    assert "Variant A needs a message" in html
    assert 'id="launch-confirm-button"' not in html


def test_the_confirmation_needs_the_launch_permission_and_a_real_campaign(role_client):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    editor = role_client("editor")
    assert editor.get(f"/campaigns/{campaign.pk}/launch/").status_code == 403
    assert editor.get(f"/campaigns/{campaign.pk}/launch/counts/").status_code == 403
    manager = role_client("manager")
    assert manager.get("/campaigns/999999/launch/").status_code == 404
    assert manager.get("/campaigns/999999/launch/counts/").status_code == 404
    assert manager.post(f"/campaigns/{campaign.pk}/launch/counts/").status_code == 405
    assert manager.put(f"/campaigns/{campaign.pk}/launch/").status_code == 405
