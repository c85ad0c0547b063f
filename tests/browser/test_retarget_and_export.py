"""From a campaign's stats, in Chromium: follow up the non-openers in one click (a segment of
exactly them, and a draft campaign to it in the wizard), and export who clicked."""

import csv
import io

import pytest

from campaigns.models import Campaign, Delivery
from segments.models import SegmentMember
from tests.support.browser import shot
from tests.tracking.engagement import engaged_campaign_make
from tracking.retarget import retarget_creator_ids_sql

pytestmark = [pytest.mark.browser]


def _not_opened(campaign: Campaign) -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(retarget_creator_ids_sql(choice="not_opened"), [campaign.pk])
        return {row[0] for row in cursor.fetchall()}


def test_follow_up_non_openers_and_export_who_clicked(page, login_as, live_server):
    campaign = engaged_campaign_make()
    login_as("manager")
    page.goto(f"{live_server.url}/stats/campaigns/{campaign.pk}/")
    page.locator("#how-we-count").get_by_text("bare “Mozilla/5.0”").wait_for()
    shot(page, "stats")

    with page.expect_download() as download_info:
        page.locator("#export-outcome").select_option("clicked")
        page.locator("#export-deliveries").click()
    rows = list(csv.DictReader(io.StringIO(open(download_info.value.path()).read())))
    clicked = Delivery.objects.filter(campaign=campaign, first_clicked_at__isnull=False)
    assert sorted(row["creator"] for row in rows) == sorted(
        clicked.values_list("creator__handle", flat=True)
    )
    assert rows and all(row["clicked_at"] for row in rows)

    page.locator("#follow-up-not-opened").click()
    page.wait_for_url(f"{live_server.url}/campaigns/*/audience/")
    follow_up = Campaign.objects.latest("pk")
    assert follow_up.pk != campaign.pk
    assert set(
        SegmentMember.objects.filter(segment=follow_up.segment).values_list("creator_id", flat=True)
    ) == _not_opened(campaign)
    selected = page.locator("select[name=segment] option:checked")
    assert selected.inner_text() == follow_up.segment.name
    shot(page, "follow-up-audience")

    page.goto(f"{live_server.url}/stats/campaigns/{campaign.pk}/")
    page.locator("#retarget-clicked").click()
    page.wait_for_url(f"{live_server.url}/segments/*/")
    assert page.get_by_text("Segment “").count() >= 1
    shot(page, "segment")
