"""Static segments: a list of handles, unknown ones reported; membership is a plain queryset."""

import pytest
from django.db import connection

from creators.models import Creator
from segments.exceptions import SegmentKindMismatch
from segments.models import SegmentMember
from segments.selectors import segment_count, segment_creators, segment_sample
from segments.services import (
    segment_create,
    segment_static_create,
    segment_static_members_set,
    segment_update,
)


@pytest.fixture
def creators(db):
    return [
        Creator.objects.create(
            handle=f"h{n}",
            name=f"H{n}",
            level=n % 3,
            consent_email="granted" if n % 2 else "denied",
        )
        for n in range(10)
    ]


def test_static_segment_keeps_known_handles_and_reports_the_rest(creators):
    result = segment_static_create(
        name="List", handles=["h1", "@h2", "nope", "h3", "h2", "also-nope"]
    )
    assert result.matched == 3
    assert result.unknown_handles == ["nope", "also-nope"]
    assert set(segment_creators(result.segment).values_list("handle", flat=True)) == {
        "h1",
        "h2",
        "h3",
    }
    assert segment_count(result.segment) == 3


def test_setting_members_replaces_the_list(creators):
    segment = segment_static_create(name="List", handles=["h1", "h2"]).segment
    result = segment_static_members_set(segment=segment, handles=["h5"])
    assert result.matched == 1
    assert list(segment_creators(segment).values_list("handle", flat=True)) == ["h5"]
    assert SegmentMember.objects.filter(segment=segment).count() == 1


def test_rules_cannot_be_set_on_a_static_segment(creators):
    segment = segment_static_create(name="List", handles=["h1"]).segment
    with pytest.raises(SegmentKindMismatch):
        segment_update(segment=segment, rules={"all": []})


def test_members_cannot_be_set_on_a_dynamic_segment(creators):
    segment = segment_create(name="Rules", rules={"all": []})
    with pytest.raises(SegmentKindMismatch):
        segment_static_members_set(segment=segment, handles=["h1"])


@pytest.mark.parametrize("kind", ["static", "dynamic"])
def test_segment_creators_can_be_filtered_further_and_fed_to_insert_select(creators, kind):
    if kind == "static":
        segment = segment_static_create(name="s", handles=[f"h{n}" for n in range(6)]).segment
    else:
        segment = segment_create(name="d", rules={"field": "level", "op": "in", "value": [0, 1, 2]})
    granted = segment_creators(segment).filter(consent_email="granted")
    expected = {
        c.pk
        for c in Creator.objects.filter(consent_email="granted")
        if kind == "dynamic" or c.handle in {f"h{n}" for n in range(6)}
    }
    assert set(granted.values_list("pk", flat=True)) == expected
    # The queryset compiles to one SELECT that an INSERT ... SELECT can wrap.
    sql, params = granted.values("pk").query.sql_with_params()
    other = segment_create(name="target", rules={"all": []})
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO segments_segmentmember (segment_id, creator_id) SELECT %s, chosen.pk FROM ({sql}) AS chosen",
            [other.pk, *params],
        )
    assert (
        set(SegmentMember.objects.filter(segment=other).values_list("creator_id", flat=True))
        == expected
    )


def test_empty_any_still_compiles_to_sql(creators):
    segment = segment_create(name="nobody", rules={"any": []})
    sql, _params = segment_creators(segment).values("pk").query.sql_with_params()
    assert "WHERE" in sql
    assert segment_count(segment) == 0


def test_sample_is_members_only_and_bounded(creators):
    segment = segment_create(name="level 0", rules={"field": "level", "op": "eq", "value": 0})
    members = set(segment_creators(segment).values_list("handle", flat=True))
    for _ in range(5):
        sample = segment_sample(segment, 3)
        assert len(sample) == 3
        assert set(sample) <= members
    assert sorted(segment_sample(segment, 50)) == sorted(members)
