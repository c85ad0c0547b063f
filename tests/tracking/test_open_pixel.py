import pytest

from campaigns.models import Delivery
from tracking.models import Event, Rollup
from tracking.tokens import open_token_make

HUMAN = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile"


@pytest.fixture
def email_delivery(campaign) -> Delivery:
    delivery = Delivery.objects.filter(campaign=campaign, channel="email").first()
    assert delivery is not None
    return delivery


def test_pixel_is_a_no_cache_gif_and_records_a_human_open(client, email_delivery):
    token = open_token_make(delivery_id=email_delivery.pk)
    response = client.get(f"/t/o/{token}.gif", HTTP_USER_AGENT=HUMAN, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert "no-store" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    event = Event.objects.get()
    assert (event.kind, event.automated, event.source) == ("opened", False, "pixel")
    assert event.ip_hash and "203.0.113.9" not in event.ip_hash
    assert event.campaign_id == email_delivery.campaign_id
    email_delivery.refresh_from_db()
    assert email_delivery.first_opened_at == event.occurred_at
    assert Rollup.objects.get().opened == 1


def test_reloading_the_pixel_counts_one_unique_open(client, email_delivery):
    token = open_token_make(delivery_id=email_delivery.pk)
    for _ in range(3):
        client.get(f"/t/o/{token}.gif", HTTP_USER_AGENT=HUMAN)
    rollup = Rollup.objects.get()
    assert (rollup.opened, Event.objects.count()) == (1, 1)


def test_tampered_pixel_token_gets_404_and_writes_nothing(client, email_delivery):
    token = open_token_make(delivery_id=email_delivery.pk)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/t/o/{forged}.gif").status_code == 404
    other = open_token_make(delivery_id=email_delivery.pk + 1).split(":")[0]
    assert client.get(f"/t/o/{other}:{token.split(':', 1)[1]}.gif").status_code == 404
    assert not Event.objects.exists()


@pytest.mark.parametrize("agent", ["Mozilla/5.0", "", "Barracuda Sentinel (EE)"])
def test_prefetch_and_scanner_opens_are_machine_opens(client, email_delivery, agent):
    token = open_token_make(delivery_id=email_delivery.pk)
    client.get(f"/t/o/{token}.gif", HTTP_USER_AGENT=agent)
    event = Event.objects.get()
    assert event.automated
    email_delivery.refresh_from_db()
    assert email_delivery.first_opened_at is None
    rollup = Rollup.objects.get()
    assert (rollup.opened, rollup.machine_opens) == (0, 1)
