"""The builder's preview counts who each channel can reach (consent granted and an address)
and shows, beside the sample, the columns the rules test."""

from __future__ import annotations

import json
from decimal import Decimal

from creators.models import Creator, Device
from segments.models import Segment
from segments.selectors import rules_fields, segment_reachable
from segments.services import segment_update
from tests.support.factories import creator_make, segment_make


def test_reachable_counts_need_consent_and_an_address(db):
    creator_make(
        "a",
        email="a@x.mx",
        consent_email="granted",
        phone="+525511111111",
        consent_whatsapp="granted",
        consent_push="granted",
    )
    creator_make("b", email="", consent_email="granted", phone="", consent_whatsapp="granted")
    c = creator_make("c", consent_email="denied", consent_push="granted", consent_inbox="denied")
    Device.objects.create(creator=c, token="t-c", platform="android")
    Creator.objects.filter(handle="a").update(consent_inbox="granted")
    everyone = Segment(kind=Segment.Kind.DYNAMIC, rules={"all": []})
    assert segment_reachable(everyone) == {"email": 1, "whatsapp": 1, "push": 1, "inbox": 2}


def test_rules_fields_lists_the_columns_once_in_order():
    rules = {
        "all": [
            {"field": "followers", "op": "gt", "value": 10},
            {
                "not": {
                    "any": [
                        {"field": "gmv_30d", "op": "gt", "value": 1},
                        {"field": "followers", "op": "lt", "value": 5},
                    ]
                }
            },
            {"behaviour": "opened", "within_days": 7},
        ]
    }
    assert rules_fields(rules) == ["followers", "gmv_30d"]


def test_preview_partial_shows_reach_and_the_fields_used(role_client):
    creator_make("ana", followers=12_500, gmv_30d=Decimal("1500.50"), tags=["vip"])
    rules = {
        "all": [
            {"field": "followers", "op": "gte", "value": 1000},
            {"field": "tags", "op": "contains", "value": "vip"},
        ]
    }
    response = role_client("editor").post("/segments/preview/", {"rules": json.dumps(rules)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="reachable-email">1<' in html
    assert 'data-testid="reachable-whatsapp">0<' in html
    assert 'data-field="followers"' in html and 'data-field="tags"' in html
    assert "12,500" in html and "<td>vip</td>" in html


def test_segment_page_loads_its_reach_after_the_page(role_client):
    """The segment page draws at once and asks for the reach per channel (a read of every
    creator of the segment) with htmx; the fragment counts it, then reuses the count until
    the segment is saved again."""
    creator_make("ana", followers=12_500)
    creator_make("beto", followers=20)
    segment = segment_make(
        name="Grandes", rules={"all": [{"field": "followers", "op": "gte", "value": 1000}]}
    )
    client = role_client("analyst")

    page = client.get(f"/segments/{segment.pk}/").content.decode()
    assert f'hx-get="/segments/{segment.pk}/reach/"' in page
    assert 'data-testid="reachable-email"' not in page
    assert 'data-field="followers"' in page  # the sample still shows the fields the rules use

    fragment = client.get(f"/segments/{segment.pk}/reach/")
    assert fragment.status_code == 200
    assert 'data-testid="reachable-email">1<' in fragment.content.decode()
    Creator.objects.filter(handle="beto").update(followers=5000)
    cached = client.get(f"/segments/{segment.pk}/reach/").content.decode()
    assert 'data-testid="reachable-email">1<' in cached  # reused until saved
    segment_update(segment=segment, actor=None, rules=segment.rules)
    fresh = client.get(f"/segments/{segment.pk}/reach/").content.decode()
    assert 'data-testid="reachable-email">2<' in fresh

    assert client.get("/segments/999999/reach/").status_code == 404
    assert client.post(f"/segments/{segment.pk}/reach/").status_code == 405
