"""Saving from the builder as static snapshots the creators who match now; later changes to
creators do not move the list."""

import html
import json

from audit.models import AuditEntry
from creators.models import Creator
from segments.models import Segment, SegmentMember
from segments.selectors import segment_count, segment_creators


def test_static_save_snapshots_current_members(role_client, varied_creators):
    rules = {
        "all": [
            {"field": "level", "op": "gte", "value": 2},
            {"field": "locale", "op": "eq", "value": "es-MX"},
        ]
    }
    expected = set(
        Creator.objects.filter(level__gte=2, locale="es-MX").values_list("pk", flat=True)
    )
    assert expected
    client = role_client("editor")
    response = client.post(
        "/segments/new/", {"name": "Snapshot", "kind": "static", "rules": json.dumps(rules)}
    )
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert segment.kind == Segment.Kind.STATIC
    assert (
        set(SegmentMember.objects.filter(segment=segment).values_list("creator_id", flat=True))
        == expected
    )
    # Creators who start matching later are not added.
    Creator.objects.filter(level__lt=2).update(level=7, locale="es-MX")
    assert set(segment_creators(segment).values_list("pk", flat=True)) == expected
    assert segment_count(segment) == len(expected)
    entry = AuditEntry.objects.get()
    assert entry.action == "segment.create"
    assert entry.detail["kind"] == "static" and entry.detail["members"] == len(expected)


def test_static_save_refuses_bad_rules(role_client, varied_creators):
    response = role_client("editor").post(
        "/segments/new/",
        {"name": "Snap", "kind": "static", "rules": '{"all": [{"field": "level"}]}'},
    )
    assert response.status_code == 400
    assert 'all[0]: missing "op"' in html.unescape(response.content.decode())
    assert not Segment.objects.exists()


def test_static_segment_edit_changes_only_name(role_client, varied_creators):
    client = role_client("editor")
    client.post(
        "/segments/new/",
        {"name": "Snap", "kind": "static", "rules": '{"field": "level", "op": "eq", "value": 1}'},
    )
    segment = Segment.objects.get()
    before = segment_count(segment)
    page = client.get(f"/segments/{segment.pk}/edit/").content.decode()
    assert 'name="rules"' not in page
    response = client.post(f"/segments/{segment.pk}/edit/", {"name": "Renamed"})
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Renamed" and segment_count(segment) == before
