"""The builder's preview counts who each channel can reach (consent granted and an address)
and shows, beside the sample, the columns the rules test."""

from __future__ import annotations

import json
from decimal import Decimal

from creators.models import Creator, Device
from segments.models import Segment
from segments.selectors import rules_fields, segment_reachable
from tests.support.factories import creator_make


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
