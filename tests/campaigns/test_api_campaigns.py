from campaigns.models import Campaign, CampaignTransition, Delivery, Message
from segments.services import segment_create
from tests.support.factories import MESSAGES, creators_make


def _payload(segment_id: int, **extra) -> dict:
    return {
        "name": "Reto de diciembre",
        "kind": "competition",
        "market": "MX",
        "segment_id": segment_id,
        "default_locale": "es-MX",
        "messages": [
            {"channel": "inbox", "locale": "es-MX", **MESSAGES["inbox"]},
            {"channel": "push", "locale": "es-MX", **MESSAGES["push"]},
        ],
        **extra,
    }


def test_create_campaign_with_messages(api_client):
    segment = segment_create(name="Todos", rules={"all": []})
    response = api_client.post(
        "/api/campaigns", _payload(segment.pk), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    campaign = Campaign.objects.get(pk=response.json()["id"])
    assert (campaign.status, campaign.channels) == ("draft", ["inbox", "push"])
    assert Message.objects.filter(campaign=campaign).count() == 2


def test_template_reaching_python_internals_is_refused_with_its_line(api_client):
    segment = segment_create(name="Todos", rules={"all": []})
    payload = _payload(segment.pk)
    payload["messages"][0]["body"] = "Hola\n{{ creator.__class__.__mro__ }}"
    response = api_client.post("/api/campaigns", payload, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["channel"], error["field"], error["line"]) == ("inbox", "body", 2)
    assert not Campaign.objects.exists()


def test_unknown_variable_is_refused_with_its_line(api_client):
    segment = segment_create(name="Todos", rules={"all": []})
    payload = _payload(segment.pk)
    payload["messages"][1]["title"] = "{{ creator.nmae }}"
    response = api_client.post("/api/campaigns", payload, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["channel"], error["field"], error["line"]) == ("push", "title", 1)
    assert "nmae" in error["message"]


def test_same_idempotency_key_gets_the_first_answer_and_creates_nothing(api_client):
    segment = segment_create(name="Todos", rules={"all": []})
    headers = {"HTTP_IDEMPOTENCY_KEY": "abc-123"}
    first = api_client.post(
        "/api/campaigns", _payload(segment.pk), content_type="application/json", **headers
    )
    again = api_client.post(
        "/api/campaigns", _payload(segment.pk), content_type="application/json", **headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Campaign.objects.count() == 1


def test_launch_twice_changes_nothing(api_client):
    creators_make(5)
    segment = segment_create(name="Todos", rules={"all": []})
    campaign_id = api_client.post(
        "/api/campaigns", _payload(segment.pk), content_type="application/json"
    ).json()["id"]
    first = api_client.post(f"/api/campaigns/{campaign_id}/launch")
    again = api_client.post(f"/api/campaigns/{campaign_id}/launch")
    assert first.status_code == 202
    assert again.status_code == 409
    campaign = Campaign.objects.get(pk=campaign_id)
    assert (campaign.status, campaign.last_run) == ("sending", 1)
    assert CampaignTransition.objects.filter(campaign=campaign, to_status="sending").count() == 1


def test_pause_resume_cancel_are_recorded_with_who(api_client):
    segment = segment_create(name="Todos", rules={"all": []})
    campaign_id = api_client.post(
        "/api/campaigns", _payload(segment.pk), content_type="application/json"
    ).json()["id"]
    for action, status in [
        ("launch", "sending"),
        ("pause", "paused"),
        ("resume", "sending"),
        ("cancel", "cancelled"),
    ]:
        response = api_client.post(f"/api/campaigns/{campaign_id}/{action}")
        assert (response.status_code, response.json()["status"]) == (202, status)
    transitions = list(
        CampaignTransition.objects.filter(campaign_id=campaign_id).values_list(
            "to_status", "actor__username"
        )
    )
    assert transitions == [
        ("sending", "ops"),
        ("paused", "ops"),
        ("sending", "ops"),
        ("cancelled", "ops"),
    ]


def test_campaign_status_shows_counts_per_channel_and_state(api_client):
    creators_make(3)
    segment = segment_create(name="Todos", rules={"all": []})
    campaign_id = api_client.post(
        "/api/campaigns", _payload(segment.pk), content_type="application/json"
    ).json()["id"]
    campaign = Campaign.objects.get(pk=campaign_id)
    campaign.last_run = 1
    campaign.save()
    from campaigns import fanout

    fanout.deliveries_create(campaign=campaign, run=1)
    Delivery.objects.filter(channel="push").update(status="sent")
    body = api_client.get(f"/api/campaigns/{campaign_id}").json()
    assert body["counts"] == {"inbox": {"pending": 3}, "push": {"sent": 3}}


def test_schedule_at_a_time_creates_an_editable_beat_entry(api_client):
    from django_celery_beat.models import PeriodicTask

    segment = segment_create(name="Todos", rules={"all": []})
    response = api_client.post(
        "/api/campaigns",
        _payload(segment.pk, send_at="2031-01-05T10:00:00-06:00"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    campaign = Campaign.objects.get(pk=response.json()["id"])
    task = PeriodicTask.objects.get(pk=campaign.periodic_task_id)
    assert campaign.status == "scheduled"
    assert (task.one_off, task.task, task.clocked.clocked_time.isoformat()) == (
        True,
        "campaigns.tasks.campaign_launch_scheduled",
        "2031-01-05T16:00:00+00:00",
    )
