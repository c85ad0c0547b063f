"""The portal speaks the creator's language (es-MX by default), whatever the browser says."""

import pytest
from django.test import Client

from tests.support.factories import creator_make, delivery_make, inbox_message_make, lesson_make
from tracking.tokens import unsubscribe_token_make

pytestmark = pytest.mark.django_db

PAGES = ("/me/", "/me/learn/", "/me/preferences/", "/learn/buena-luz/")


@pytest.mark.parametrize(
    ("locale", "lang", "sign_out", "lesson"),
    [
        ("es-MX", "es-mx", "Cerrar sesión", "Graba con buena luz"),
        ("en", "en", "Sign out", "Film in good light"),
    ],
)
def test_every_page_follows_the_creators_locale(portal_client, locale, lang, sign_out, lesson):
    lesson_make("buena-luz")
    creator = creator_make(f"idioma_{lang.replace('-', '_')}", locale=locale)
    inbox_message_make(creator)
    client = portal_client(creator)
    browser_says = "en-US,en" if locale == "es-MX" else "es-MX,es"
    for url in PAGES:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=browser_says)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in html, url
        assert sign_out in html, url
        assert response["Content-Language"].lower() == lang
    assert lesson in client.get("/me/learn/").content.decode()
    assert lesson in client.get("/learn/buena-luz/").content.decode()


def test_pages_without_a_creator_are_in_spanish_by_default(settings):
    settings.LANGUAGE_CODE = "es-MX"
    response = Client().get("/p/forged/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert '<html lang="es-mx">' in response.content.decode()


def test_unsubscribe_page_speaks_the_recipients_language():
    creator = creator_make("english_speaker", locale="en")
    token = unsubscribe_token_make(delivery_id=delivery_make(creator).pk)
    response = Client().get(f"/u/{token}/", HTTP_ACCEPT_LANGUAGE="es-MX")
    html = response.content.decode()
    assert '<html lang="en">' in html and "Unsubscribe" in html
    assert response["Content-Language"] == "en"
