"""The outbox pages show each message as its reader sees it: an email as a mail client
(subject, from, to, the HTML sandboxed, a plain-text tab), WhatsApp and push in a phone frame,
with the app's links clickable."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request

import pytest
import sendgrid

from tests.fakes.test_fcm import access_token, send  # noqa: F401 (fixture)
from tests.fakes.test_twilio import twilio_client

TRACKED = "http://127.0.0.1:8000/t/c/abc123"
MISION_NUEVA = "HX" + "e5a1" + "0" * 27 + "2"  # seeded in the fake Content API


def _get(fakes, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(fakes.urls["control"] + path) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _detail(fakes, provider: str) -> str:
    [record] = fakes.received(provider)
    status, page = _get(fakes, f"/outbox/{record['id']}")
    assert status == 200
    assert "<script" not in page
    return page


def _email_send(fakes) -> None:
    client = sendgrid.SendGridAPIClient(fakes.sendgrid_api_key, host=fakes.urls["sendgrid"])
    response = client.client.mail.send.post(
        request_body={
            "personalizations": [{"to": [{"email": "ana@creadores.example", "name": "Ana"}]}],
            "from": {"email": "hola@altavoz.example", "name": "Altavoz"},
            "subject": "Las ofertas de este fin de semana",
            "content": [
                {"type": "text/plain", "value": f"Hola Ana, mira: {TRACKED}"},
                {
                    "type": "text/html",
                    "value": f'<h1>Ofertas</h1><p><a href="{TRACKED}">Ver los productos</a></p>',
                },
            ],
        }
    )
    assert response.status_code == 202


def test_email_shows_as_a_mail_client_with_html_sandboxed_and_a_text_tab(fake_providers):
    _email_send(fake_providers)
    status, listing = _get(fake_providers, "/")
    assert status == 200
    [record] = fake_providers.received("sendgrid")
    assert f'href="/outbox/{record["id"]}"' in listing
    assert "Las ofertas de este fin de semana" in listing and "Ana &lt;ana@creadores" in listing

    page = _detail(fake_providers, "sendgrid")
    assert "<h2>Las ofertas de este fin de semana</h2>" in page
    assert "Altavoz &lt;hola@altavoz.example&gt;" in page
    assert "Ana &lt;ana@creadores.example&gt;" in page
    [iframe] = re.findall(r"<iframe[^>]*>", page)
    sandbox = re.search(r'sandbox="([^"]*)"', iframe).group(1).split()
    assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox
    assert "allow-popups" in sandbox
    document = html.unescape(re.search(r'srcdoc="([^"]*)"', iframe).group(1))
    assert f'<a href="{TRACKED}">Ver los productos</a>' in document
    assert '<base target="_blank">' in document
    assert 'for="tab-text">Plain text' in page
    # The plain text's link is clickable, through the app's tracking redirect.
    assert f'<a href="{TRACKED}" target="_blank"' in page.split('class="pane pane-text"')[1]


def test_whatsapp_template_shows_in_a_phone_with_its_filled_body_and_buttons(fake_providers):
    twilio_client(fake_providers).messages.create(
        to="whatsapp:+5215512345678",
        from_="whatsapp:+14155238886",
        content_sid=MISION_NUEVA,
        content_variables=json.dumps(
            {"1": "Ana", "2": "Reto de diciembre", "3": "24 de diciembre", "4": "diciembre"}
        ),
        body="Texto libre para quien escribió en las últimas 24 horas",
    )
    page = _detail(fake_providers, "twilio")
    assert 'class="phone"' in page and 'class="wa-chat"' in page
    assert "Ana, hay una misión nueva para ti: Reto de diciembre." in page
    assert "Tienes hasta el 24 de diciembre" in page
    assert 'href="https://altavoz.mx/m/diciembre"' in page and "Ver misión" in page
    assert "mision_nueva" in page
    assert "Texto libre" not in page.split('class="facts"')[0]  # the template is what arrives
    assert "+5215512345678" in page


def test_whatsapp_free_text_links_are_clickable(fake_providers):
    twilio_client(fake_providers).messages.create(
        to="whatsapp:+5215512345678",
        from_="whatsapp:+14155238886",
        body=f"Hola Ana <3, comisión doble: {TRACKED}",
    )
    page = _detail(fake_providers, "twilio")
    assert f'<a href="{TRACKED}" target="_blank" rel="noopener">{TRACKED}</a>' in page
    assert "Hola Ana &lt;3" in page  # text is escaped, never markup


def test_push_shows_as_a_lock_screen_notification_that_opens_its_link(
    fake_providers,
    access_token,  # noqa: F811
):
    status, _answer, _headers = send(
        fake_providers,
        access_token,
        {
            "message": {
                "token": "device-" + "x" * 140,
                "notification": {"title": "Comisión doble 🔥", "body": "20 productos"},
                "data": {"link": TRACKED},
            }
        },
    )
    assert status == 200
    page = _detail(fake_providers, "fcm")
    assert 'class="phone"' in page and 'class="lock"' in page
    assert "<strong>Comisión doble 🔥</strong><br>20 productos" in page
    assert f'<a class="notif" href="{TRACKED}"' in page
    _status, listing = _get(fake_providers, "/?provider=fcm")
    assert "Comisión doble 🔥" in listing and "class=on>fcm</a>" in listing


@pytest.mark.parametrize("path", ["/outbox/999999", "/outbox/0"])
def test_unknown_record_is_404(fake_providers, path):
    assert _get(fake_providers, path)[0] == 404


def test_empty_outbox_says_so(fake_providers):
    status, page = _get(fake_providers, "/")
    assert status == 200 and "Nothing sent yet" in page
