from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Delivery
from tests.tracking.conftest import BASE
from tracking.links import delivery_links
from tracking.models import Event, LinkRollup, Rollup
from tracking.tokens import click_token_read

HUMAN = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
URLS = (
    "https://shop.example/promo?x=1",
    "https://altavoz.example/learn/directo/",
    "https://b.example/",
)


@pytest.fixture
def email_delivery(campaign) -> Delivery:
    delivery = Delivery.objects.filter(campaign=campaign, channel="email").first()
    assert delivery is not None
    return delivery


def tracked(delivery: Delivery, url: str) -> str:
    links = delivery_links(
        delivery_id=delivery.pk,
        channel=delivery.channel,
        locale=delivery.locale,
        campaign_id=delivery.campaign_id,
    )
    return links.track(url).removeprefix(BASE)


def test_click_redirects_to_the_stored_link_with_utm(client, email_delivery):
    response = client.get(tracked(email_delivery, URLS[0]), HTTP_USER_AGENT=HUMAN)
    assert response.status_code == 302
    assert response["Location"].startswith("https://shop.example/promo?x=1&utm_source=altavoz")
    assert f"utm_campaign=campaign-{email_delivery.campaign_id}" in response["Location"]
    event = Event.objects.get()
    assert (event.kind, event.automated, event.link.url) == ("clicked", False, response["Location"])
    email_delivery.refresh_from_db()
    assert email_delivery.first_clicked_at == event.occurred_at
    assert Rollup.objects.get().clicked == 1
    assert LinkRollup.objects.get().clicks == 1


def test_tampered_click_token_gets_404_and_writes_nothing(client, email_delivery):
    path = tracked(email_delivery, URLS[0])
    token = path.removeprefix("/t/c/")
    payload, signature = token.split(":", 1)  # signature: "<made at>:<hmac>"
    delivery_part, link_part = payload.split(".")
    forgeries = [
        f"{delivery_part}.{int(link_part, 36) + 1:x}:{signature}",
        f"{delivery_part}.{link_part}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{int(delivery_part, 36) + 1:x}.{link_part}:{signature}",
        payload,
        "garbage",
    ]
    for forged in forgeries:
        assert client.get(f"/t/c/{forged}").status_code == 404, forged
    assert not Event.objects.exists()


def test_no_token_redirects_to_a_url_the_message_does_not_contain(client, email_delivery):
    """Every token rendered for this message redirects only to that message's links; a
    token for one delivery cannot be re-pointed at another delivery's link."""
    paths = [tracked(email_delivery, url) for url in URLS]
    destinations = {client.get(path, HTTP_USER_AGENT=HUMAN)["Location"] for path in paths}
    assert {d.split("?")[0] for d in destinations} == {u.split("?")[0] for u in URLS}
    other = Delivery.objects.filter(channel="email").exclude(pk=email_delivery.pk).first()
    foreign = tracked(other, "https://evil.example/")
    foreign_link = click_token_read(foreign.removeprefix("/t/c/")).link_id
    signature = paths[0].split(":")[1]
    mine = paths[0].removeprefix("/t/c/").split(":")[0].split(".")[0]
    spliced = f"/t/c/{mine}.{int(foreign_link):x}:{signature}"
    assert client.get(spliced).status_code == 404


def test_head_request_is_a_bot_click(client, email_delivery):
    response = client.head(tracked(email_delivery, URLS[0]), HTTP_USER_AGENT=HUMAN)
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.automated, event.automated_reason) == (True, "head")
    rollup = Rollup.objects.get()
    assert (rollup.clicked, rollup.bot_clicks) == (0, 1)


def test_scanner_agent_is_a_bot_click(client, email_delivery):
    client.get(tracked(email_delivery, URLS[0]), HTTP_USER_AGENT="Mimecast URL Protect")
    assert Event.objects.get().automated_reason == "agent"


def test_click_seconds_after_delivery_is_a_bot_click(client, email_delivery):
    Delivery.objects.filter(pk=email_delivery.pk).update(
        sent_at=timezone.now() - timedelta(seconds=1)
    )
    client.get(tracked(email_delivery, URLS[0]), HTTP_USER_AGENT=HUMAN)
    assert Event.objects.get().automated_reason == "too_soon"
    email_delivery.refresh_from_db()
    assert email_delivery.first_clicked_at is None


def test_a_click_on_every_link_at_once_is_flagged_including_the_first(client, email_delivery):
    for url in URLS:
        client.get(tracked(email_delivery, url), HTTP_USER_AGENT=HUMAN)
    assert list(Event.objects.values_list("automated", flat=True)) == [True, True, True]
    email_delivery.refresh_from_db()
    assert email_delivery.first_clicked_at is None
    rollup = Rollup.objects.get()
    assert (rollup.clicked, rollup.clicks_total, rollup.bot_clicks) == (0, 0, 3)
    assert sum(LinkRollup.objects.values_list("clicks", flat=True)) == 0
    assert sum(LinkRollup.objects.values_list("bot_clicks", flat=True)) == 3
