"""With TRACKING_WRITE_BEHIND the endpoints only queue the hit; the drain task records it
exactly as the synchronous path would (same time, same flags, same counts)."""

import pytest

from campaigns.models import Delivery
from tests.tracking.conftest import BASE
from tracking import writebehind
from tracking.links import delivery_links
from tracking.models import Event, Rollup
from tracking.tasks import events_drain
from tracking.tokens import open_token_make

HUMAN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0"


@pytest.fixture
def queued(tracking_settings):
    tracking_settings.TRACKING_WRITE_BEHIND = True
    writebehind._client().delete(writebehind.QUEUE)
    yield
    writebehind._client().delete(writebehind.QUEUE)


def test_hits_are_recorded_by_the_drain(client, campaign, queued):
    delivery = Delivery.objects.filter(campaign=campaign, channel="email").first()
    links = delivery_links(
        delivery_id=delivery.pk, channel="email", locale=delivery.locale, campaign_id=campaign.pk
    )
    assert (
        client.get(
            f"/t/o/{open_token_make(delivery_id=delivery.pk)}.gif", HTTP_USER_AGENT=HUMAN
        ).status_code
        == 200
    )
    response = client.get(
        links.track("https://shop.example/x").removeprefix(BASE), HTTP_USER_AGENT=HUMAN
    )
    assert response.status_code == 302 and response["Location"].startswith("https://shop.example/x")
    client.head(links.track("https://shop.example/x").removeprefix(BASE), HTTP_USER_AGENT=HUMAN)
    assert not Event.objects.exists()

    assert events_drain() == 3
    kinds = list(Event.objects.order_by("id").values_list("kind", "automated_reason"))
    assert kinds == [("opened", ""), ("clicked", ""), ("clicked", "head")]
    rollup = Rollup.objects.get()
    assert (rollup.opened, rollup.clicked, rollup.bot_clicks) == (1, 1, 1)
    assert events_drain() == 0
