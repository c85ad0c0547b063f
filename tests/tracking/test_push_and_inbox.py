from campaigns.models import Delivery
from channels.models import InboxMessage
from tracking.models import Event, Rollup
from tracking.tokens import creator_app_token_make, push_token_make


def test_push_open_is_counted_once_per_delivery(client, campaign):
    push = Delivery.objects.filter(campaign=campaign, channel="push").first()
    token = push_token_make(delivery_id=push.pk)
    for _ in range(2):
        response = client.post(
            "/api/track/push-open", {"token": token}, content_type="application/json"
        )
        assert response.status_code == 204
    assert Rollup.objects.get().opened == 1
    assert Event.objects.get().source == "app"


def test_push_open_with_a_forged_token_gets_403(client, campaign):
    push = Delivery.objects.filter(campaign=campaign, channel="push").first()
    token = push_token_make(delivery_id=push.pk)[:-2] + "xx"
    response = client.post(
        "/api/track/push-open", {"token": token}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_inbox_read_through_the_api_records_one_open(client, campaign):
    inbox = Delivery.objects.filter(campaign=campaign, channel="inbox").first()
    message = InboxMessage.objects.create(
        creator_id=inbox.creator_id,
        delivery=inbox,
        title="Hola",
        body="…",
        cta_label="Ver",
        cta_link="https://altavoz.example/t/c/x",
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {creator_app_token_make(creator_id=inbox.creator_id)}"}
    listed = client.get("/api/inbox", **auth).json()
    assert [item["id"] for item in listed] == [message.pk]
    for _ in range(2):
        response = client.post(f"/api/inbox/{message.pk}/read", **auth)
        assert response.status_code == 200 and response.json()["read_at"]
    assert Rollup.objects.get().opened == 1
    assert client.get("/api/inbox", HTTP_AUTHORIZATION="Bearer forged").status_code == 401
    stranger = {
        "HTTP_AUTHORIZATION": f"Bearer {creator_app_token_make(creator_id=inbox.creator_id + 1)}"
    }
    assert client.post(f"/api/inbox/{message.pk}/read", **stranger).status_code == 404
