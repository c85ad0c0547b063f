"""After `creator_portal_revoke`, no link in a message sent before it signs the creator in;
unsubscribing from that message still works (issue 16)."""

import re
import time

import pytest
from django.test import Client

from creators.services import creator_portal_revoke
from portal.session import CREATOR_KEY
from tests.support.factories import creator_make, delivery_make, inbox_message_make, lesson_make
from tracking import tokens
from tracking.links import delivery_links, tracked_link_id

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def old_message(settings):
    """Every kind of link in one email to Valeria, rendered before her access is revoked."""
    settings.PUBLIC_BASE_URL = BASE
    creator = creator_make("valeria_secreta", name="Valeria Secreta")
    inbox_message_make(creator, title="Tu bono privado")
    lesson_make("buena-luz")
    delivery = delivery_make(creator)
    links = delivery_links(
        delivery_id=delivery.pk,
        channel="email",
        locale=creator.locale,
        campaign_id=delivery.campaign_id,
    )
    urls = {
        "portal": links.portal(),
        "preferences": links.preferences(),
        "unsubscribe": links.unsubscribe(),
        "learn": links.learn("buena-luz"),
        "shop": links.track("https://shop.example/promo"),
    }
    return creator, delivery, {name: url.removeprefix(BASE) for name, url in urls.items()}


def _revoke(creator) -> None:
    """Revoke in a later second than the message was made, and come back a second later
    (token timestamps have one-second resolution; an old link is opened after the fact)."""
    time.sleep(1.1)
    creator_portal_revoke(creator=creator)
    time.sleep(1.1)


def _assert_no_portal_session(client: Client) -> None:
    assert CREATOR_KEY not in client.session
    page = client.get("/me/")
    assert page.status_code == 401
    assert "bono privado" not in page.content.decode()
    assert client.get("/me/preferences/").status_code == 401


def _walk(client: Client, url: str, *, hops: int = 5):
    """GET `url` and follow same-site redirects (the click redirect → the lesson page)."""
    response = client.get(url)
    while response.status_code in (301, 302) and hops:
        location = response["Location"].removeprefix(BASE)
        if not location.startswith("/"):
            break  # another site
        response = client.get(location)
        hops -= 1
    return response


@pytest.mark.parametrize("link", ["portal", "preferences", "learn", "shop"])
def test_no_link_of_an_old_message_signs_in_after_revocation(old_message, link):
    creator, _delivery, urls = old_message
    _revoke(creator)
    client = Client()
    response = _walk(client, urls[link])
    assert response.status_code in (302, 401, 403)
    if link == "shop":
        assert response["Location"].startswith("https://shop.example/promo")
    _assert_no_portal_session(client)


def test_learn_click_after_revocation_is_refused_as_revoked(old_message):
    creator, _delivery, urls = old_message
    _revoke(creator)
    client = Client()
    redirect = client.get(urls["learn"])
    assert redirect.status_code == 302
    lesson = client.get(redirect["Location"].removeprefix(BASE))
    assert lesson.status_code in (401, 403)
    assert "Paso 1" not in lesson.content.decode()
    _assert_no_portal_session(client)


def test_unsubscribe_page_of_an_old_message_gives_no_session_but_still_unsubscribes(old_message):
    creator, delivery, urls = old_message
    _revoke(creator)
    client = Client()

    page = client.get(urls["unsubscribe"])
    assert page.status_code == 200
    _assert_no_portal_session(client)
    # Whatever the page links to, none of it signs in.
    for href in re.findall(r'href="(/[^"]*)"', page.content.decode()):
        _walk(client, href)
        _assert_no_portal_session(client)

    # The page's button (the same POST as RFC 8058 one-click) still unsubscribes.
    done = client.post(urls["unsubscribe"], {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and 'id="unsubscribed"' in done.content.decode()
    creator.refresh_from_db()
    assert creator.consent_email == "denied"
    _assert_no_portal_session(client)


def test_one_click_post_of_an_old_message_still_unsubscribes_after_revocation(old_message):
    creator, delivery, urls = old_message
    _revoke(creator)
    gmail = Client(enforce_csrf_checks=True)
    response = gmail.post(
        urls["unsubscribe"],
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    creator.refresh_from_db()
    assert creator.consent_email == "denied"
    _assert_no_portal_session(gmail)


def test_links_of_a_message_sent_after_revocation_still_sign_in(settings):
    settings.PUBLIC_BASE_URL = BASE
    creator = creator_make("valeria_secreta", name="Valeria Secreta")
    lesson_make("buena-luz")
    creator_portal_revoke(creator=creator)
    time.sleep(1.1)
    delivery = delivery_make(creator)
    links = delivery_links(
        delivery_id=delivery.pk,
        channel="email",
        locale=creator.locale,
        campaign_id=delivery.campaign_id,
    )

    client = Client()
    lesson = _walk(client, links.learn("buena-luz").removeprefix(BASE))
    assert lesson.status_code == 200 and "Paso 1" in lesson.content.decode()
    assert client.session[CREATOR_KEY] == creator.pk

    client = Client()
    page = client.get(links.unsubscribe().removeprefix(BASE)).content.decode()
    preferences = re.search(r'href="(/me/preferences/[^"]+)"', page)
    assert preferences is not None
    assert client.get(preferences.group(1)).status_code == 302
    assert client.session[CREATOR_KEY] == creator.pk


def test_links_of_a_message_older_than_a_magic_link_do_not_sign_in(settings):
    """A `learn()` click or the unsubscribe page of a message made 31 days ago gets no fresh
    30-day magic link: what they make is dated by the message, so it has expired too."""
    settings.PUBLIC_BASE_URL = BASE
    settings.PORTAL_LINK_MAX_AGE = 30 * 24 * 3600
    creator = creator_make("valeria_secreta", name="Valeria Secreta")
    lesson_make("buena-luz")
    delivery = delivery_make(creator)
    made_at = time.time() - 31 * 24 * 3600
    link_id = tracked_link_id(f"{BASE}/learn/buena-luz/?lang=es-MX")
    click = tokens.CLICK.sign(f"{tokens._b36(delivery.pk)}.{tokens._b36(link_id)}", at=made_at)
    unsubscribe = tokens.UNSUBSCRIBE.sign(tokens._b36(delivery.pk), at=made_at)

    client = Client()
    redirect = client.get(f"/t/c/{click}")
    assert redirect.status_code == 302 and "t=" not in redirect["Location"]
    assert client.get(redirect["Location"].removeprefix(BASE)).status_code == 401
    page = client.get(f"/u/{unsubscribe}/")
    assert page.status_code == 200 and "/me/preferences/" not in page.content.decode()
    _assert_no_portal_session(client)
