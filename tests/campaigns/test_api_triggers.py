"""The campaigns API takes a trigger: launch arms it, pause and cancel work, and a bad trigger
is a 400 naming its part, never a 500."""

import pytest

from campaigns.models import Campaign
from tests.support.factories import MESSAGES


def _payload(**extra) -> dict:
    return {
        "name": "Gracias por tu primera venta",
        "kind": "announcement",
        "messages": [
            {
                "channel": "inbox",
                "locale": "es-MX",
                "title": "¡Primera venta!",
                "body": "Vendiste {{ event.props.amount }}",
            }
        ],
        "trigger": {
            "event": "sale_made",
            "where": {"field": "amount", "op": "gte", "value": 100},
            "repeat": {"every_days": 7},
        },
        **extra,
    }


def _post(client, path, payload=None):
    return client.post(path, payload or {}, content_type="application/json")


def test_triggered_campaign_is_created_armed_paused_resumed_and_disarmed(api_client):
    created = _post(api_client, "/api/campaigns", _payload())
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert Campaign.objects.get(pk=pk).trigger == {
        "event": "sale_made",
        "where": {"field": "amount", "op": "gte", "value": 100},
        "repeat": {"every_days": 7},
    }
    # No segment: everyone who does it (the segment is an optional filter).
    launched = _post(api_client, f"/api/campaigns/{pk}/launch")
    assert launched.status_code == 202, launched.content
    assert launched.json()["status"] == "sending"
    detail = api_client.get(f"/api/campaigns/{pk}").json()
    assert detail["trigger"]["event"] == "sale_made"
    assert detail["events"] == {"matched": 0}
    assert detail["run"] == 0

    assert _post(api_client, f"/api/campaigns/{pk}/pause").json()["status"] == "paused"
    assert _post(api_client, f"/api/campaigns/{pk}/resume").json()["status"] == "sending"
    assert _post(api_client, f"/api/campaigns/{pk}/cancel").json()["status"] == "cancelled"
    assert _post(api_client, f"/api/campaigns/{pk}/launch").status_code == 409


@pytest.mark.parametrize(
    ("trigger", "status", "path"),
    [
        (
            {"event": "sale_made", "where": {"field": "amount", "op": "near", "value": 1}},
            400,
            "trigger.where.op",
        ),
        ({"event": "sale_made", "where": {"all": "x"}}, 400, "trigger.where.all"),
        ({"event": "Sale Made"}, 400, "trigger.event"),
        ({"event": "sale_made", "repeat": "twice"}, 400, "trigger.repeat"),
        ({"event": "sale_made", "repeat": {"every_days": 0}}, 400, "trigger.repeat"),
        ({"event": "sale_made", "later": True}, 400, "trigger.later"),
    ],
)
def test_bad_trigger_is_refused_and_creates_nothing(api_client, trigger, status, path):
    response = _post(api_client, "/api/campaigns", _payload(trigger=trigger))
    assert response.status_code == status, response.content
    assert response.json()["path"].startswith(path)
    assert not Campaign.objects.exists()


def test_triggered_campaign_cannot_also_be_scheduled(api_client):
    response = _post(api_client, "/api/campaigns", _payload(send_at="2030-01-01T10:00:00Z"))
    assert response.status_code == 400
    assert "triggered" in response.json()["detail"]
    assert not Campaign.objects.exists()


def test_plain_campaign_still_needs_a_segment_to_launch(api_client):
    payload = _payload()
    del payload["trigger"]
    payload["messages"][0] = {"channel": "inbox", "locale": "es-MX", **MESSAGES["inbox"]}
    pk = _post(api_client, "/api/campaigns", payload).json()["id"]
    assert _post(api_client, f"/api/campaigns/{pk}/launch").status_code == 400
