"""The segment list and a segment's page: counts, readable rules, sample and campaigns."""

from campaigns.models import Campaign
from creators.models import Creator
from segments.labels import rules_describe
from segments.services import segment_create, segment_update


def test_rules_read_as_a_sentence(db):
    rules = {
        "all": [
            {"field": "level", "op": "gte", "value": 3},
            {
                "any": [
                    {"field": "state", "op": "eq", "value": "JAL"},
                    {"field": "consent_whatsapp", "op": "eq", "value": "granted"},
                ]
            },
            {"not": {"field": "tags", "op": "contains", "value": ["vip", "beta"]}},
            {"field": "last_active_at", "op": "within_days", "value": 30},
            {"field": "gmv_30d", "op": "between", "value": [100, 5000]},
        ]
    }
    assert rules_describe(rules) == (
        "Level is at least 3 AND (State is Jalisco OR WhatsApp consent is Granted)"
        " AND NOT Tags has the tags vip, beta AND Last active is within the last 30 days"
        " AND GMV, last 30 days (MXN) is between 100 and 5000"
    )
    assert rules_describe({"all": []}) == "Everyone"
    assert rules_describe({"field": "email", "op": "is_set", "value": False}) == "Email is not set"


def test_list_shows_kind_count_and_owner(role_client, db):
    client = role_client("editor")
    for n in range(4):
        Creator.objects.create(handle=f"h{n}", name="H", level=n)
    segment_create(
        name="Level 2+", rules={"field": "level", "op": "gte", "value": 2}, created_by=client.user
    )
    page = client.get("/segments/").content.decode()
    assert "Level 2+" in page and "Dynamic (rules)" in page and "editor-user" in page
    assert '<span class="segment-list-count">2</span>' in page
    assert "counted at" in page


def test_list_count_refreshes_after_a_save(role_client, db):
    client = role_client("editor")
    Creator.objects.create(handle="a", name="A", level=1)
    segment = segment_create(name="S", rules={"field": "level", "op": "gte", "value": 1})
    assert '<span class="segment-list-count">1</span>' in client.get("/segments/").content.decode()
    segment_update(segment=segment, rules={"field": "level", "op": "gte", "value": 2})
    assert '<span class="segment-list-count">0</span>' in client.get("/segments/").content.decode()


def test_detail_shows_rules_sample_and_campaigns(role_client, db):
    Creator.objects.create(handle="ana", name="Ana", level=4, state="JAL")
    Creator.objects.create(handle="beto", name="Beto", level=1, state="JAL")
    segment = segment_create(
        name="Jalisco 3+",
        rules={
            "all": [
                {"field": "level", "op": "gte", "value": 3},
                {"field": "state", "op": "eq", "value": "JAL"},
            ]
        },
    )
    Campaign.objects.create(name="Hot sale", kind="announcement", segment=segment)
    page = role_client("analyst").get(f"/segments/{segment.pk}/").content.decode()
    assert "Level is at least 3 AND State is Jalisco" in page
    assert 'data-testid="segment-count">1<' in page
    assert "@ana" in page and "@beto" not in page
    assert "Hot sale" in page
