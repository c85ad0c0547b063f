"""The segments API: create from rules or handles, 400 with a path for bad rules, preview."""

from creators.models import Creator
from segments.models import Segment, SegmentMember


def _creators():
    Creator.objects.create(handle="ana", name="Ana", level=3, tags=["vip"])
    Creator.objects.create(handle="beto", name="Beto", level=1)
    Creator.objects.create(handle="caro", name="Caro", level=5, consent_whatsapp="granted")


def test_create_segment_returns_id_and_count(api_client):
    _creators()
    response = api_client.post(
        "/api/segments",
        {"name": "Level 3+", "rules": {"all": [{"field": "level", "op": "gte", "value": 3}]}},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    segment = Segment.objects.get()
    assert body == {"id": segment.pk, "count": 2}
    assert segment.kind == Segment.Kind.DYNAMIC
    assert segment.created_by.username == "ops"


def test_bad_rules_get_400_with_the_path(api_client):
    response = api_client.post(
        "/api/segments",
        {
            "name": "Broken",
            "rules": {
                "all": [
                    {"field": "level", "op": "gte", "value": 1},
                    {"any": [{"field": "tags", "op": "gt", "value": 1}]},
                ]
            },
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["path"] == "all[1].any[0].op"
    assert body["detail"].startswith("all[1].any[0].op: ")
    assert not Segment.objects.exists()


def test_rules_that_are_not_an_object_get_400_not_422(api_client):
    response = api_client.post(
        "/api/segments", {"name": "x", "rules": ["level"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["path"] == ""


def test_blank_name_is_refused(api_client):
    response = api_client.post(
        "/api/segments", {"name": "  ", "rules": {"all": []}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "name" in response.json()["detail"]


def test_preview_gives_count_and_sample(api_client):
    _creators()
    created = api_client.post(
        "/api/segments",
        {"name": "Not vip", "rules": {"not": {"field": "tags", "op": "contains", "value": "vip"}}},
        content_type="application/json",
    ).json()
    response = api_client.get(f"/api/segments/{created['id']}/preview")
    assert response.status_code == 200
    assert response.json() == {"count": 2, "sample": ["beto", "caro"]}


def test_preview_of_unknown_segment_is_404(api_client):
    assert api_client.get("/api/segments/999/preview").status_code == 404


def test_static_segment_from_handles_reports_unknown_ones(api_client):
    _creators()
    response = api_client.post(
        "/api/segments/static",
        {"name": "Picked", "handles": ["@ana", " caro ", "ghost", "ana"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    segment = Segment.objects.get(kind=Segment.Kind.STATIC)
    assert body == {"id": segment.pk, "count": 2, "unknown_handles": ["ghost"]}
    preview = api_client.get(f"/api/segments/{segment.pk}/preview").json()
    assert preview == {"count": 2, "sample": ["ana", "caro"]}


def test_static_segment_without_handles_is_refused(api_client):
    response = api_client.post(
        "/api/segments/static", {"name": "Empty", "handles": [" "]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Segment.objects.exists()
    assert not SegmentMember.objects.exists()


def test_segments_need_a_token(client, db):
    response = client.post(
        "/api/segments", {"name": "x", "rules": {"all": []}}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Segment.objects.exists()


def test_openapi_lists_segment_routes(api_client):
    paths = api_client.get("/api/openapi.json").json()["paths"]
    assert {"/api/segments", "/api/segments/static", "/api/segments/{segment_id}/preview"} <= set(
        paths
    )
