"""Text PostgreSQL cannot store (a lone UTF-16 surrogate, a NUL) is refused by the segments
API with 400 and the path of the string, not a 500 from the database (issue 16)."""

import json

import pytest

from segments.models import Segment

SURROGATE = '"\\ud800"'  # in the JSON text: the six characters \ud800, a lone surrogate


def _post(api_client, url: str, payload: dict):
    body = json.dumps(payload).replace('"BAD"', SURROGATE)
    return api_client.post(url, body, content_type="application/json")


@pytest.mark.parametrize(
    ("url", "payload", "path"),
    [
        (
            "/api/segments",
            {"name": "Rules", "rules": {"all": [{"field": "name", "op": "eq", "value": "BAD"}]}},
            "rules.all[0].value",
        ),
        ("/api/segments", {"name": "BAD", "rules": {"all": []}}, "name"),
        ("/api/segments/static", {"name": "BAD", "handles": ["ana"]}, "name"),
        ("/api/segments/static", {"name": "List", "handles": ["ana", "BAD"]}, "handles[1]"),
    ],
)
def test_unstorable_text_is_refused_with_its_path(api_client, url, payload, path):
    response = _post(api_client, url, payload)
    assert response.status_code == 400, response.content
    assert response.json()["path"] == path
    assert not Segment.objects.exists()


def test_a_nul_character_is_refused_too(api_client):
    response = api_client.post(
        "/api/segments",
        {"name": "Nul", "rules": {"all": []}, "description": "a\x00b"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["path"] == "description"


def test_a_blank_name_names_the_field(api_client):
    response = api_client.post(
        "/api/segments", {"name": "", "rules": {"all": []}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["path"] == "name"
