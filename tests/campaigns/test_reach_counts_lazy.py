"""The wizard's reach counts load lazily from their fragment and are cached briefly.

Counting a 1M-creator segment takes seconds (issue 20), so the audience and review steps
render a "Counting…" placeholder that htmx fills from `/campaigns/<pk>/audience/counts/`;
the fragment keeps its answer REACH_COUNT_CACHE_SECONDS, keyed on what the counts depend on.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.cache import cache

from campaigns import selectors
from segments.services import segment_static_members_set, segment_update
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _reachable(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="reachable-(\w+)">(\d+)<', html))


def _lazy_url(html: str) -> str:
    match = re.search(r'hx-get="([^"]+)" hx-trigger="load"', html)
    assert match is not None, html
    return unescape(match[1])


@pytest.mark.parametrize("step", ["audience", "review"])
def test_wizard_step_loads_the_counts_lazily_then_shows_them_from_the_cache(role_client, step):
    creators_make(3, devices=False)
    campaign = campaign_make()
    client = role_client("editor")

    first = client.get(f"/campaigns/{campaign.pk}/{step}/").content.decode()
    assert 'data-testid="counts-loading"' in first and _reachable(first) == {}

    fragment = client.get(_lazy_url(first)).content.decode()
    assert _reachable(fragment) == {"email": "3", "whatsapp": "3", "push": "0", "inbox": "3"}

    again = client.get(f"/campaigns/{campaign.pk}/{step}/").content.decode()
    assert "counts-loading" not in again
    assert _reachable(again) == _reachable(fragment)


def test_counts_are_reused_until_the_segment_changes(role_client):
    creators_make(2, devices=False)
    campaign = campaign_make()
    segment = campaign.segment
    url = f"/campaigns/{campaign.pk}/audience/counts/"
    client = role_client("editor")
    assert _reachable(client.get(url, {"segment": segment.pk}).content.decode())["email"] == "2"

    creators_make(3, start=10, devices=False)  # new creators: the cached counts stand a while
    assert _reachable(client.get(url, {"segment": segment.pk}).content.decode())["email"] == "2"

    segment_update(segment=segment, rules={"all": [{"field": "level", "op": "gte", "value": 0}]})
    assert _reachable(client.get(url, {"segment": segment.pk}).content.decode())["email"] == "5"


def test_a_static_segment_counts_afresh_when_its_members_change(role_client):
    creators = creators_make(3, devices=False)
    campaign = campaign_make()
    segment = campaign.segment
    segment.kind = "static"
    segment.save(update_fields=["kind"])
    segment_static_members_set(segment=segment, handles=[creators[0].handle])
    segment.refresh_from_db()
    assert selectors.segment_reachable_counts_cached(segment=segment)["total"] == 1

    segment_static_members_set(segment=segment, handles=[c.handle for c in creators])
    segment.refresh_from_db()
    assert selectors.segment_reachable_counts_if_cached(segment=segment) is None
    assert selectors.segment_reachable_counts_cached(segment=segment)["total"] == 3


def test_cached_counts_equal_a_fresh_count(role_client):
    creators_make(4, devices=False)
    creators_make(2, start=10, consent="denied")
    campaign = campaign_make()
    fresh = selectors.segment_reachable_counts(segment=campaign.segment)
    assert fresh["total"] == 6 and fresh["email"] == 4 and fresh["inbox"] == 6
    assert selectors.segment_reachable_counts_cached(segment=campaign.segment) == fresh
    assert selectors.segment_reachable_counts_if_cached(segment=campaign.segment) == fresh


def test_counts_fragment_answers_bad_input_without_an_error(role_client):
    campaign = campaign_make()
    client = role_client("editor")
    url = f"/campaigns/{campaign.pk}/audience/counts/"
    assert client.get("/campaigns/999999/audience/counts/", {"segment": 1}).status_code == 404
    assert client.get(url, {"segment": "abc"}).status_code == 400
    missing = client.get(url, {"segment": 999999})
    assert missing.status_code == 200 and "Choose a segment" in missing.content.decode()
    assert client.get(url, {"segment": campaign.segment_id, "window": "x"}).status_code == 200


def test_counts_fragment_needs_the_campaign_permission(role_client):
    campaign = campaign_make()
    url = f"/campaigns/{campaign.pk}/audience/counts/"
    assert role_client("agency").get(url, {"segment": campaign.segment_id}).status_code == 403
    assert role_client("analyst").get(url, {"segment": campaign.segment_id}).status_code == 200
