"""POST /api/events: one object or a batch, 202 with a result per event; 400/403/413 whole."""

import json

import pytest

from events.models import Event
from tests.support.factories import creator_make, user_make

pytestmark = pytest.mark.django_db


def _post(client, body, **extra):
    return client.post("/api/events", json.dumps(body), content_type="application/json", **extra)


def test_one_event_is_accepted(api_client):
    creator = creator_make("ana")
    response = _post(
        api_client,
        {
            "creator": "ana",
            "name": "sale_made",
            "props": {"amount": 150, "sku": "A1"},
            "occurred_at": "2026-12-05T10:00:00-06:00",
            "idempotency_key": "order-77",
        },
    )
    assert response.status_code == 202
    event = Event.objects.get()
    assert response.json() == {
        "accepted": 1,
        "duplicate": 0,
        "refused": 0,
        "results": [
            {"index": 0, "status": "accepted", "id": event.pk, "reason": None, "detail": ""}
        ],
    }
    assert (event.creator_id, event.props, event.source, event.idempotency_key) == (
        creator.pk,
        {"amount": 150, "sku": "A1"},
        "api",
        "order-77",
    )
    assert event.occurred_at.isoformat() == "2026-12-05T16:00:00+00:00"


def test_batch_answers_each_event_with_its_reason(api_client):
    creator_make("ana")
    response = _post(
        api_client,
        [
            {"creator": "ana", "name": "sale_made", "idempotency_key": "o-1"},
            {"creator": "ana", "name": "sale_made", "idempotency_key": "o-1"},
            {"creator": "nobody", "name": "sale_made"},
            {"creator": "ana", "name": "Sale Made"},
            {"creator": "ana", "name": "big", "props": {"text": "x" * 17000}},
            {"creator": "ana", "name": "late", "occurred_at": "not a time"},
        ],
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["accepted"], body["duplicate"], body["refused"]) == (1, 1, 4)
    assert [(r["status"], r["reason"]) for r in body["results"]] == [
        ("accepted", None),
        ("duplicate", None),
        ("refused", "unknown_creator"),
        ("refused", "bad_name"),
        ("refused", "props_too_large"),
        ("refused", "bad_occurred_at"),
    ]
    assert body["results"][1]["id"] == body["results"][0]["id"]
    assert body["results"][2]["detail"] == "No creator has this handle."
    assert Event.objects.count() == 1


def test_same_key_posted_again_is_a_duplicate_and_changes_nothing(api_client):
    creator_make("ana")
    event = {"creator": "ana", "name": "sale_made", "props": {"n": 1}, "idempotency_key": "k1"}
    first = _post(api_client, event).json()["results"][0]
    again = _post(api_client, {**event, "props": {"n": 2}}).json()["results"][0]
    assert (first["status"], again["status"]) == ("accepted", "duplicate")
    assert again["id"] == first["id"]
    assert list(Event.objects.values_list("props", flat=True)) == [{"n": 1}]


def test_a_batch_of_1000_is_recorded(api_client):
    creator_make("ana")
    creator_make("beto")
    batch = [
        {"creator": "ana" if i % 2 else "beto", "name": "video_posted", "props": {"i": i}}
        for i in range(1000)
    ]
    response = _post(api_client, batch)
    assert response.status_code == 202
    assert response.json()["accepted"] == 1000
    assert Event.objects.count() == 1000
    assert sorted(Event.objects.values_list("props__i", flat=True)) == list(range(1000))


def test_a_batch_over_1000_is_refused_whole(api_client):
    creator_make("ana")
    response = _post(api_client, [{"creator": "ana", "name": "x"}] * 1001)
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_a_body_over_the_size_limit_gets_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    creator_make("ana")
    response = _post(api_client, [{"creator": "ana", "name": "x", "props": {"t": "y" * 200}}] * 100)
    assert response.status_code == 413
    assert "smaller" in response.json()["detail"]
    assert not Event.objects.exists()


def test_malformed_bodies_get_400(api_client):
    creator_make("ana")
    for body in (
        {"creator": "ana"},
        {"creator": "ana", "name": "x", "props": [1]},
        {"creator": "ana", "name": "x", "occurred_at": 5},
        {"creator": "ana", "name": "x", "idempotency_key": ""},
        {"creator": "ana", "name": "x", "surprise": 1},
        {"creator": "ana", "name": "x", "props": {"t": "a\x00"}},
        [{"creator": "ana", "name": "x"}, "nope"],
        "text",
    ):
        response = _post(api_client, body)
        assert response.status_code == 400, body
        assert response.json()["detail"]
    assert api_client.post("/api/events", "{", content_type="application/json").status_code == 400
    assert not Event.objects.exists()


def test_roles_without_the_permission_get_403(client):
    from accounts.services import api_token_create

    token = api_token_create(user=user_make("reader", role="analyst", email=""))
    creator_make("ana")
    response = _post(client, {"creator": "ana", "name": "x"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert _post(client, {"creator": "ana", "name": "x"}).status_code == 401


def test_the_schema_documents_the_operation(api_client):
    schema = api_client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/events"]["post"]
    assert set(operation["responses"]) == {"202", "400", "401", "403", "413"}
    assert "1,000" in operation["description"]
