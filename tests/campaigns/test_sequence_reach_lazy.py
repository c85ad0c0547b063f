"""The sequence page's "would reach today" loads per step from its own fragment, cached.

Counting a step's audience takes over a second at a million deliveries (issue 20): the page
shows "Counting…" until the cell's fragment answers; its count is reused until the step,
the steps before it or the campaign's run change.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from campaigns import sequences
from creators.models import Creator
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _step(campaign, *, condition: str = "not_opened", step=None):
    return sequences.sequence_step_save(
        campaign=campaign,
        channel="push",
        wait_minutes=60,
        condition=condition,
        messages=[{"locale": "es-MX", "title": "Hola", "body": "Hola"}],
        step=step,
    )


def _cell(client, campaign, step) -> str:
    html = client.get(f"/campaigns/{campaign.pk}/sequence/{step.pk}/reach/").content.decode()
    match = re.search(r'<td class="would-reach number">([^<]*)</td>', html)
    assert match is not None, html
    return match[1]


def test_page_shows_counting_until_the_cell_is_loaded(role_client):
    creators_make(5)
    campaign = campaign_make(channels=("inbox",))
    step = _step(campaign)
    client = role_client("editor")

    page = client.get(f"/campaigns/{campaign.pk}/sequence/").content.decode()
    assert f'hx-get="/campaigns/{campaign.pk}/sequence/{step.pk}/reach/"' in page
    assert "Counting…" in page

    assert _cell(client, campaign, step) == "5"
    page = client.get(f"/campaigns/{campaign.pk}/sequence/").content.decode()
    assert "Counting…" not in page
    assert '<td class="would-reach number">5</td>' in page


def test_count_is_reused_until_the_step_changes(role_client):
    creators_make(5)
    campaign = campaign_make(channels=("inbox",))
    step = _step(campaign)
    client = role_client("editor")
    assert _cell(client, campaign, step) == "5"

    Creator.objects.filter(handle="creador_0").update(consent_push="denied")
    assert _cell(client, campaign, step) == "5"  # cached a while

    step = _step(campaign, condition="all", step=step)
    assert _cell(client, campaign, step) == "4"


def test_reach_fragment_answers_bad_ids_with_404_and_needs_permission(role_client):
    campaign = campaign_make(channels=("inbox",))
    other = campaign_make(channels=("inbox",), name="Otra")
    step = _step(campaign)
    client = role_client("editor")
    assert client.get(f"/campaigns/{other.pk}/sequence/{step.pk}/reach/").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/sequence/999999/reach/").status_code == 404
    assert client.post(f"/campaigns/{campaign.pk}/sequence/{step.pk}/reach/").status_code == 405
    url = f"/campaigns/{campaign.pk}/sequence/{step.pk}/reach/"
    assert role_client("analyst").get(url).status_code == 403


def test_campaign_page_loads_its_sequence_card_from_the_flow_fragment(role_client):
    creators_make(3)
    campaign = campaign_make(channels=("inbox",))
    _step(campaign)
    client = role_client("analyst")
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'hx-get="/campaigns/{campaign.pk}/sequence/flow/"' in page
    assert 'id="sequence-flow"' not in page

    card = client.get(f"/campaigns/{campaign.pk}/sequence/flow/").content.decode()
    assert 'id="sequence-flow"' in card and 'data-step="1"' in card

    assert client.get("/campaigns/999999/sequence/flow/").status_code == 404
    assert role_client("agency").get(f"/campaigns/{campaign.pk}/sequence/flow/").status_code == 403
