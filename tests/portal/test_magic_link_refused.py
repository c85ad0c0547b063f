"""Expired, tampered and revoked links get a clear page, no session and no data."""

import time

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import translation

from creators.services import creator_portal_revoke
from portal.exceptions import LinkExpired
from portal.session import CREATOR_KEY
from tests.support.factories import creator_make, delivery_make, inbox_message_make
from tracking.tokens import portal_token_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    """The clock, moved forward by `clock.shift(seconds)` instead of sleeping."""
    with time_machine.travel(time.time(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def creator():
    creator = creator_make("valeria_secreta", name="Valeria Secreta")
    inbox_message_make(creator, title="Tu bono privado")
    return creator


def _assert_refused(response, reason: str, client: Client) -> None:
    html = response.content.decode()
    assert response.status_code == 403
    assert f'data-reason="{reason}"' in html
    assert "Valeria" not in html and "bono privado" not in html
    assert CREATOR_KEY not in client.session
    assert "Content-Security-Policy" in response


def test_valid_link_opens_the_inbox(creator):
    client = Client()
    token = portal_token_make(delivery_id=delivery_make(creator).pk)
    response = client.get(f"/p/{token}/", follow=True)
    assert "Tu bono privado" in response.content.decode()


def test_expired_link_is_refused(creator, settings, clock):
    settings.PORTAL_LINK_MAX_AGE = 1
    token = portal_token_make(delivery_id=delivery_make(creator).pk)
    clock.shift(2.1)
    client = Client()
    _assert_refused(client.get(f"/p/{token}/"), "expired", client)
    assert "expired" in client.get(f"/p/{token}/").content.decode()


@pytest.mark.parametrize("mangle", ["flip-last", "other-delivery", "garbage"])
def test_tampered_link_is_refused(creator, mangle):
    token = portal_token_make(delivery_id=delivery_make(creator).pk)
    if mangle == "flip-last":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif mangle == "other-delivery":
        value, rest = token.split(":", 1)
        token = f"{int(value, 36) + 1:x}:{rest}"
    else:
        token = "not-a-token"
    client = Client()
    _assert_refused(client.get(f"/p/{token}/"), "invalid", client)
    _assert_refused(client.get(f"/me/preferences/{token}/"), "invalid", client)
    _assert_refused(client.get(f"/learn/anything/?t={token}"), "invalid", client)


def test_revoked_link_is_refused_and_ends_open_sessions(creator, clock):
    old_token = portal_token_make(delivery_id=delivery_make(creator).pk)
    signed_in = Client()
    assert signed_in.get(f"/p/{old_token}/").status_code == 302
    assert signed_in.get("/me/").status_code == 200

    clock.shift(1.1)  # token timestamps have one-second resolution
    creator_portal_revoke(creator=creator)

    client = Client()
    _assert_refused(client.get(f"/p/{old_token}/"), "revoked", client)
    page = signed_in.get("/me/")
    assert page.status_code == 401 and "bono privado" not in page.content.decode()

    clock.shift(1.1)
    new_token = portal_token_make(delivery_id=delivery_make(creator).pk)
    assert Client().get(f"/p/{new_token}/").status_code == 302


def test_admin_action_turns_off_the_links_of_selected_creators(creator, admin_client, clock):
    token = portal_token_make(delivery_id=delivery_make(creator).pk)
    clock.shift(1.1)
    response = admin_client.post(
        "/admin/creators/creator/",
        {"action": "portal_links_revoke", "_selected_action": [creator.pk]},
    )
    assert response.status_code == 302
    client = Client()
    _assert_refused(client.get(f"/p/{token}/"), "revoked", client)


@pytest.mark.parametrize(
    "locale, title", [("en", "This link has expired"), ("es-MX", "Este enlace ya expiró")]
)
def test_an_expired_link_is_refused_in_its_creators_language(settings, clock, locale, title):
    """The link is authentic but old: it still says whose it was, so the page speaks their
    language, whatever the app's default and the browser's wish; it lets nobody in."""
    settings.PORTAL_LINK_MAX_AGE = 1
    reader = creator_make(f"reader_{locale.lower()}", locale=locale)
    token = portal_token_make(delivery_id=delivery_make(reader).pk)
    clock.shift(2.1)
    other = "es-MX" if locale == "en" else "en"
    client = Client(headers={"accept-language": other})
    with override_settings(LANGUAGE_CODE=other):
        response = client.get(f"/p/{token}/")
    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{locale.lower()}"' in html
    assert response["Content-Language"] == locale.lower()
    assert title in html
    with translation.override(locale):
        assert str(LinkExpired.message_text) in html
    assert CREATOR_KEY not in client.session


@override_settings(LANGUAGE_CODE="es-mx")
def test_a_turned_off_link_is_refused_in_its_creators_language(clock):
    reader = creator_make("reader_turned_off", locale="en")
    token = portal_token_make(delivery_id=delivery_make(reader).pk)
    clock.shift(1.1)
    creator_portal_revoke(creator=reader)
    client = Client()  # the app's default is es-MX, and no browser wish
    html = client.get(f"/p/{token}/").content.decode()
    assert '<html lang="en"' in html
    assert "This link was turned off" in html
    assert "Your earlier links to Altavoz were turned off" in html


@override_settings(LANGUAGE_CODE="es-mx")
def test_a_forged_link_is_refused_in_the_default_language():
    """A forged link says nothing about whose it is: the app's default language."""
    reader = creator_make("reader_forged", locale="en")
    token = portal_token_make(delivery_id=delivery_make(reader).pk)
    response = Client().get(f"/p/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/")
    assert response.status_code == 403
    assert '<html lang="es-mx"' in response.content.decode()
