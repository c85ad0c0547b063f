"""A rule value is read the way the importer reads the same column, or refused (400) naming
what is accepted: a rule never silently matches no one because of how a value is spelled."""

import pytest

from creators.models import Creator
from segments.exceptions import SegmentRulesInvalid
from segments.models import Segment
from segments.rules import rules_parse
from segments.selectors import segment_creators
from segments.services import segment_create, segment_static_create


def leaf(field, op, value):
    return {"field": field, "op": op, "value": value}


@pytest.fixture
def creators(db):
    return [
        Creator.objects.create(
            handle="ana_son",
            name="Ana",
            state="SON",
            phone="+525512345678",
            locale="en",
            timezone="America/Hermosillo",
            market="MX",
            content_type="live",
            consent_whatsapp="granted",
        ),
        Creator.objects.create(handle="beto", name="Beto", state="JAL"),
    ]


@pytest.mark.parametrize(
    "rule",
    [
        leaf("state", "eq", "Sonora"),
        leaf("state", "eq", "sonora"),
        leaf("state", "eq", "son"),
        leaf("state", "eq", " MX-SON "),
        leaf("state", "in", ["Sonorá", "Son"]),
        leaf("handle", "eq", "@Ana_Son"),
        leaf("handle", "in", ["ANA_SON"]),
        leaf("phone", "eq", "55 1234 5678"),
        leaf("locale", "eq", "EN"),
        leaf("timezone", "eq", "america/hermosillo"),
        leaf("market", "eq", "mx"),
        leaf("content_type", "eq", "LIVE"),
        leaf("consent_whatsapp", "eq", "yes"),
    ],
)
def test_values_spelled_as_the_importer_accepts_them_match(creators, rule):
    if rule["field"] == "market":
        rule = {"all": [rule, leaf("state", "eq", "SON")]}
    segment = segment_create(name="Spelled", rules=rule)
    assert list(segment_creators(segment).values_list("handle", flat=True)) == ["ana_son"]


@pytest.mark.parametrize(
    ("rule", "path", "words"),
    [
        (leaf("state", "eq", "Atlantis"), "value", "SON"),
        (leaf("state", "in", ["JAL", "Narnia"]), "value[1]", "Mexican state"),
        (leaf("handle", "eq", "not a handle!"), "value", "TikTok handle"),
        (leaf("phone", "eq", "12"), "value", "E.164"),
        (leaf("timezone", "eq", "Mars/Olympus"), "value", "America/Mexico_City"),
        (leaf("market", "eq", "M1"), "value", "two letters"),
        (leaf("locale", "eq", "fr"), "value", "es-MX, en"),
        (leaf("consent_push", "eq", "maybe"), "value", "granted, denied, unknown"),
    ],
)
def test_values_the_importer_would_refuse_are_refused(db, rule, path, words):
    with pytest.raises(SegmentRulesInvalid) as caught:
        segment_create(name="Never", rules=rule)
    assert caught.value.path == path
    assert words in str(caught.value)
    assert not Segment.objects.exists()


def test_blank_state_still_finds_blank_states(creators):
    Creator.objects.create(handle="sin_estado", name="Nadie")
    segment = segment_create(name="Blank", rules=leaf("state", "eq", ""))
    assert list(segment_creators(segment).values_list("handle", flat=True)) == ["sin_estado"]


def test_a_stored_rule_saved_before_the_check_still_compiles(creators):
    segment = Segment.objects.create(name="Old", rules=leaf("state", "eq", "Atlantis"))
    assert segment_creators(segment).count() == 0
    Segment.objects.filter(pk=segment.pk).update(rules=leaf("state", "eq", "Sonora"))
    segment.refresh_from_db()
    assert list(segment_creators(segment).values_list("handle", flat=True)) == ["ana_son"]


def test_the_api_answers_400_naming_the_accepted_states(api_client):
    response = api_client.post(
        "/api/segments",
        {"name": "Nowhere", "rules": leaf("state", "eq", "Atlantis")},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["path"] == "value"
    assert "Atlantis" in body["detail"] and "JAL" in body["detail"]


def test_static_list_handles_match_case_insensitively(creators):
    result = segment_static_create(name="List", handles=["ANA_SON", "@Beto", "Nadie-Aquí"])
    assert result.matched == 2
    assert result.unknown_handles == ["Nadie-Aquí"]


def test_rules_parse_normalises_the_value(db):
    assert rules_parse(leaf("state", "eq", "Ciudad de Mexico")).value == "CMX"


def test_the_page_of_a_stored_rule_the_importer_would_refuse_says_why(creators, role_client):
    segment = Segment.objects.create(name="Old", rules=leaf("state", "eq", "Atlantis"))
    response = role_client("manager").get(f"/segments/{segment.pk}/")
    assert response.status_code == 200
    assert "Atlantis" in response.content.decode() and "Mexican state" in response.content.decode()
