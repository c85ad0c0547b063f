"""Once an adapted campaign has run, its rates stand beside the playbook's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from markets.adapt import playbook_adapt
from markets.selectors import playbook_adaptations
from tests.support.factories import playbook_make
from tracking.models import Rollup

pytestmark = pytest.mark.django_db


def test_rates_appear_after_the_run(role_client):
    playbook = playbook_make(steps="email@0:announce", open_rate="40.00", click_rate="8.00")
    campaign = playbook_adapt(playbook=playbook, actor=None).campaign
    client = role_client("analyst")
    page = client.get(playbook.get_absolute_url()).content.decode()
    assert "Not run yet" in page and playbook_adaptations(playbook=playbook)[0].figures is None

    launched = timezone.now() - timedelta(days=1)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=Campaign.Status.SENT, launched_at=launched, finished_at=launched
    )
    Rollup.objects.create(
        campaign=campaign,
        channel="email",
        locale="es-MX",
        hour=launched,
        delivered=200,
        opened=70,
        clicked=13,
    )
    figures = playbook_adaptations(playbook=playbook)[0].figures
    assert (figures.open_rate, figures.click_rate) == (0.35, 0.065)
    page = client.get(playbook.get_absolute_url()).content.decode()
    row = page.split(f'data-row="adapted-{campaign.pk}"')[1].split("</tr>")[0]
    assert "35.0 %" in row and "6.5 %" in row
    campaign_page = client.get(campaign.get_absolute_url()).content.decode()
    assert "40.00 %" in campaign_page and "35.0 %" in campaign_page
