"""Every token carries its purpose and its age: refused past its max age, and anywhere but
where it is meant to be used (issue 16)."""

import time

import pytest
from django.core import signing
from django.test import Client

from campaigns.models import Delivery
from creators.services import creator_portal_revoke
from portal.session import CREATOR_KEY
from tracking.links import tracked_link_id
from tracking.models import Event
from tracking.tokens import (
    click_token_make,
    creator_app_token_make,
    open_token_make,
    portal_token_make,
    push_token_make,
    unsubscribe_token_make,
)

DAY = 24 * 3600


def _untimestamped(salt: str, delivery_id: int) -> str:
    """A token as Altavoz made them before tokens carried their time (still in sent email)."""
    return signing.Signer(salt=salt).sign(_b36(delivery_id))


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _delivery(campaign, channel: str) -> Delivery:
    delivery = Delivery.objects.filter(campaign=campaign, channel=channel).first()
    assert delivery is not None
    return delivery


def _push_open(client: Client, token: str):
    return client.post("/api/track/push-open", {"token": token}, content_type="application/json")


def _inbox(client: Client, token: str):
    return client.get("/api/inbox", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- Push-open takes only a push's own token -----------------------------------------------------


def test_an_email_pixel_token_on_push_open_is_refused_and_records_nothing(client, campaign):
    email = _delivery(campaign, "email")
    response = _push_open(client, open_token_make(delivery_id=email.pk))
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_an_old_email_pixel_token_on_push_open_is_refused_and_records_nothing(client, campaign):
    """The reported case: pixel and push-open shared one salt, so an email's pixel token
    recorded a push open on an email delivery. Old shared tokens still count for pushes only."""
    email, push = _delivery(campaign, "email"), _delivery(campaign, "push")
    response = _push_open(client, _untimestamped("altavoz.tracking.delivery", email.pk))
    assert response.status_code == 403
    assert not Event.objects.exists()

    assert (
        _push_open(client, _untimestamped("altavoz.tracking.delivery", push.pk)).status_code == 204
    )
    assert list(Event.objects.values_list("delivery_id", "kind")) == [(push.pk, "opened")]


def test_a_push_token_of_an_email_delivery_is_refused(client, campaign):
    email = _delivery(campaign, "email")
    assert _push_open(client, push_token_make(delivery_id=email.pk)).status_code == 403
    assert not Event.objects.exists()


def test_an_expired_push_token_is_refused(client, campaign, settings):
    push = _delivery(campaign, "push")
    token = push_token_make(delivery_id=push.pk)
    settings.TRACKING_PUSH_TOKEN_MAX_AGE = -1  # everything made before now is too old
    assert _push_open(client, token).status_code == 403
    assert not Event.objects.exists()


# --- The creator-app token expires and honours revocation --------------------------------------


def test_a_fresh_app_token_lists_the_inbox(client, campaign):
    creator = _delivery(campaign, "inbox").creator
    assert _inbox(client, creator_app_token_make(creator_id=creator.pk)).status_code == 200


def test_an_expired_app_token_gets_401(client, campaign, settings):
    creator = _delivery(campaign, "inbox").creator
    settings.CREATOR_APP_TOKEN_MAX_AGE = 30 * DAY
    token = creator_app_token_make(creator_id=creator.pk, issued_at=time.time() - 31 * DAY)
    assert _inbox(client, token).status_code == 401
    assert _inbox(client, creator_app_token_make(creator_id=creator.pk)).status_code == 200


def test_a_revoked_creators_app_token_gets_401(client, campaign):
    creator = _delivery(campaign, "inbox").creator
    token = creator_app_token_make(creator_id=creator.pk, issued_at=time.time() - 60)
    assert _inbox(client, token).status_code == 200
    creator_portal_revoke(creator=creator)
    assert _inbox(client, token).status_code == 401
    message_read = client.post("/api/inbox/1/read", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert message_read.status_code == 401
    # A token made after the revocation (the next second: one-second resolution) works.
    later = creator_app_token_make(creator_id=creator.pk, issued_at=time.time() + 1)
    assert _inbox(client, later).status_code == 200


def test_the_old_never_expiring_app_token_is_refused(client, campaign):
    creator = _delivery(campaign, "inbox").creator
    assert _inbox(client, _untimestamped("altavoz.creator.app", creator.pk)).status_code == 401


# --- A token of one purpose is refused everywhere else -----------------------------------------


@pytest.fixture
def tokens(campaign):
    """One token of each purpose, all for the same (email) delivery."""
    email = _delivery(campaign, "email")
    link_id = tracked_link_id("https://shop.example/x")
    return email, {
        "click": click_token_make(delivery_id=email.pk, link_id=link_id),
        "open": open_token_make(delivery_id=email.pk),
        "push": push_token_make(delivery_id=email.pk),
        "unsubscribe": unsubscribe_token_make(delivery_id=email.pk),
        "portal": portal_token_make(delivery_id=email.pk),
        "app": creator_app_token_make(creator_id=email.creator_id),
    }


def _accepted(endpoint: str, token: str) -> bool:
    """Did `endpoint` accept `token` (a fresh client each time)?"""
    client = Client()
    if endpoint == "click":
        return client.get(f"/t/c/{token}").status_code == 302
    if endpoint == "open":
        return client.get(f"/t/o/{token}.gif").status_code == 200
    if endpoint == "push":
        return _push_open(client, token).status_code == 204
    if endpoint == "unsubscribe":
        return client.get(f"/u/{token}/").status_code == 200
    if endpoint == "portal":
        client.get(f"/p/{token}/")
        return CREATOR_KEY in client.session
    return _inbox(client, token).status_code == 200


def test_a_token_works_only_where_it_is_meant_to(tokens, campaign):
    _email, made = tokens
    made["push"] = push_token_make(delivery_id=_delivery(campaign, "push").pk)
    for purpose, token in made.items():
        for endpoint in made:
            expected = purpose == endpoint
            assert _accepted(endpoint, token) == expected, f"{purpose} token on {endpoint}"
    # Only the pixel and the push-open with their own tokens recorded an open.
    assert Event.objects.filter(kind="opened").count() == 2


# --- Max ages of the message links --------------------------------------------------------------


def test_expired_click_pixel_and_unsubscribe_tokens_are_refused(client, tokens, settings):
    email, made = tokens
    settings.TRACKING_CLICK_TOKEN_MAX_AGE = -1
    settings.TRACKING_OPEN_TOKEN_MAX_AGE = -1
    settings.UNSUBSCRIBE_TOKEN_MAX_AGE = -1
    assert client.get(f"/t/c/{made['click']}").status_code == 404
    assert client.get(f"/t/o/{made['open']}.gif").status_code == 404
    assert client.get(f"/u/{made['unsubscribe']}/").status_code == 404
    assert (
        client.post(f"/u/{made['unsubscribe']}/", {"List-Unsubscribe": "One-Click"}).status_code
        == 404
    )
    assert not Event.objects.exists()
    email.creator.refresh_from_db()
    assert email.creator.consent_email == "granted"


def test_untimestamped_links_of_sent_email_work_until_turned_off(client, campaign, settings):
    email = _delivery(campaign, "email")
    unsubscribe = _untimestamped("altavoz.unsubscribe", email.pk)
    pixel = _untimestamped("altavoz.tracking.delivery", email.pk)
    page = client.get(f"/u/{unsubscribe}/")
    assert page.status_code == 200
    assert "/me/preferences/" not in page.content.decode()  # nothing that signs in from one
    assert client.get(f"/t/o/{pixel}.gif").status_code == 200

    settings.TOKENS_ACCEPT_UNTIMESTAMPED = False
    assert client.get(f"/u/{unsubscribe}/").status_code == 404
    assert client.get(f"/t/o/{pixel}.gif").status_code == 404
