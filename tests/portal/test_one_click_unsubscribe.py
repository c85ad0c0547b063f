"""RFC 8058 one-click unsubscribe, exactly as Gmail sends it, and the next campaign."""

import pytest
from django.test import Client

from campaigns import fanout
from campaigns.models import Delivery, FanoutSkip
from channels.base import Outgoing
from channels.email import unsubscribe_headers
from creators.models import ConsentChange
from tests.support.factories import campaign_make, creators_make
from tracking.links import delivery_links
from tracking.models import Event, Rollup

pytestmark = pytest.mark.django_db


def _gmail_post(url: str):
    """Gmail's one-click request: POST, form body, no cookies, no CSRF token, its agent."""
    client = Client(enforce_csrf_checks=True)
    return client.post(
        url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_USER_AGENT="Mozilla/5.0 (compatible; Google-Unsubscribe)",
    )


def test_one_click_post_denies_the_channel_at_once_and_next_campaign_skips(settings, admin_client):
    settings.PUBLIC_BASE_URL = "http://testserver"
    creators = creators_make(3, devices=False)
    first = campaign_make(channels=("email",), name="Primera")
    fanout.deliveries_create(campaign=first, run=1)
    delivery = Delivery.objects.get(campaign=first, creator=creators[1])
    links = delivery_links(
        delivery_id=delivery.pk, channel="email", locale=delivery.locale, campaign_id=first.pk
    )
    outgoing = Outgoing(
        delivery_id=delivery.pk,
        creator_id=creators[1].pk,
        campaign_id=first.pk,
        locale=delivery.locale,
        content={},
        email=creators[1].email,
        unsubscribe_url=links.unsubscribe(),
        unsubscribe_post_url=links.unsubscribe_one_click(),
    )
    headers = unsubscribe_headers(outgoing)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>").replace("http://testserver", "")
    assert url.startswith("/u/")

    response = _gmail_post(url)

    assert response.status_code == 200
    creators[1].refresh_from_db()
    assert creators[1].consent_email == "denied"
    assert creators[1].consent_whatsapp == "granted"  # only that channel
    change = ConsentChange.objects.get(creator=creators[1], channel="email")
    assert (change.status, change.source) == ("denied", "unsubscribe")
    assert Event.objects.get(delivery=delivery, kind="unsubscribed")
    assert sum(Rollup.objects.filter(campaign=first).values_list("unsubscribed", flat=True)) == 1

    # A second POST (providers retry) changes nothing more.
    assert _gmail_post(url).status_code == 200
    assert ConsentChange.objects.filter(creator=creators[1], channel="email").count() == 1
    assert Event.objects.filter(delivery=delivery, kind="unsubscribed").count() == 1

    second = campaign_make(channels=("email",), name="Segunda")
    assert fanout.deliveries_create(campaign=second, run=1) == 2
    assert not Delivery.objects.filter(campaign=second, creator=creators[1]).exists()
    skip = FanoutSkip.objects.get(campaign=second, run=1, channel="email")
    assert (skip.reason, skip.count) == ("denied", 1)
    second.last_run = 1
    second.save(update_fields=["last_run"])
    page = admin_client.get(f"/stats/campaigns/{second.pk}/").content.decode()
    assert 'data-reason="denied"' in page


def test_get_shows_a_confirmation_page_and_changes_nothing(settings):
    creators = creators_make(1, devices=False)
    campaign = campaign_make(channels=("email",))
    fanout.deliveries_create(campaign=campaign, run=1)
    delivery = Delivery.objects.get()
    url = delivery_links(
        delivery_id=delivery.pk, channel="email", locale="es-MX", campaign_id=campaign.pk
    ).unsubscribe()
    path = url.split(settings.PUBLIC_BASE_URL)[1]
    page = Client().get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="List-Unsubscribe" value="One-Click"' in html
    assert "/me/preferences/" in html
    creators[0].refresh_from_db()
    assert creators[0].consent_email == "granted"
    # The page's button is the same one-click POST.
    done = Client().post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and 'id="unsubscribed"' in done.content.decode()
    creators[0].refresh_from_db()
    assert creators[0].consent_email == "denied"


def test_tampered_unsubscribe_token_is_404_and_writes_nothing():
    creators_make(1, devices=False)
    response = _gmail_post("/u/abc:forged/")
    assert response.status_code == 404
    assert not ConsentChange.objects.exists()


def test_post_without_the_one_click_body_is_refused():
    creators = creators_make(1, devices=False)
    campaign = campaign_make(channels=("email",))
    fanout.deliveries_create(campaign=campaign, run=1)
    from tracking.tokens import unsubscribe_token_make

    token = unsubscribe_token_make(delivery_id=Delivery.objects.get().pk)
    assert Client().post(f"/u/{token}/", {}).status_code == 400
    creators[0].refresh_from_db()
    assert creators[0].consent_email == "granted"
