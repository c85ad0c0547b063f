"""POST /api/campaigns refuses, with 400 and the field's path, every body the models cannot
hold (issue 16): a message without channel or locale, a channel that is not a string, an
unknown locale or market, a name longer than its column, unstorable text."""

import json

import pytest

from campaigns.models import Campaign, Message
from segments.services import segment_create
from tests.support.factories import MESSAGES


def _payload(**extra) -> dict:
    return {
        "name": "Reto de diciembre",
        "kind": "competition",
        "market": "MX",
        "segment_id": segment_create(name="Todos", rules={"all": []}).pk,
        "default_locale": "es-MX",
        "messages": [
            {"channel": "inbox", "locale": "es-MX", **MESSAGES["inbox"]},
            {"channel": "push", "locale": "es-MX", **MESSAGES["push"]},
        ],
        **extra,
    }


def _message(change: dict, drop: str = "") -> dict:
    message = {"channel": "push", "locale": "es-MX", **MESSAGES["push"], **change}
    message.pop(drop, None)
    return message


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"messages": [_message({}, drop="channel")]}, "messages[0]"),
        ({"messages": [_message({}, drop="locale")]}, "messages[0].locale"),
        ({"messages": [_message({"channel": ["push"]})]}, "messages[0]"),
        ({"messages": [_message({"locale": "xx"})]}, "messages[0].locale"),
        ({"messages": [_message({"variant": {"a": 1}})]}, "messages[0].variant"),
        ({"messages": [_message({"subject": "Hola"})]}, "messages[0].subject"),
        ({"market": "ZZ"}, "market"),
        ({"default_locale": "klingon"}, "default_locale"),
        ({"name": "x" * 5000}, "name"),
        ({"name": "   "}, "name"),
        ({"kind": "raffle"}, "kind"),
        ({"segment_id": 2**40}, "segment_id"),
    ],
)
def test_invalid_campaign_is_refused_with_the_path(api_client, change, path):
    response = api_client.post(
        "/api/campaigns", _payload(**change), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["path"] == path
    assert body["detail"].startswith(f"{path}: ")
    assert path in [error["path"] for error in body["errors"]]
    assert not Campaign.objects.exists()


def test_lone_surrogate_in_the_name_is_refused_with_the_path(api_client):
    body = json.dumps(_payload()).replace('"Reto de diciembre"', '"Reto \\ud800"')
    response = api_client.post("/api/campaigns", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["path"] == "name"
    assert not Campaign.objects.exists()


def test_lone_surrogate_in_a_message_is_refused_with_the_path(api_client):
    payload = _payload()
    payload["messages"][0]["body"] = "SURROGATE"
    body = json.dumps(payload).replace('"SURROGATE"', '"Hola \\udfff"')
    response = api_client.post("/api/campaigns", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["path"] == "messages[0].body"
    assert not Message.objects.exists()


def test_a_template_refusal_names_the_message(api_client):
    payload = _payload()
    payload["messages"][1]["title"] = "{{ creator.nmae }}"
    response = api_client.post("/api/campaigns", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["path"] == "messages[1].title"


def test_a_valid_campaign_is_still_created(api_client):
    response = api_client.post("/api/campaigns", _payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Campaign.objects.get().channels == ["inbox", "push"]
