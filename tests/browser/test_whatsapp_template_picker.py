"""In Chromium: sync the fake's WhatsApp templates from the templates page, then pick an
approved one in the wizard by searching its name, and see the approved body in the preview."""

from __future__ import annotations

import pytest

from campaigns.models import Message
from fakes.twilio_content import SEED
from tests.support.browser import shot
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.browser

WELCOME_ES = SEED[0]["sid"]


def test_pick_an_approved_template_in_the_wizard(page, login_as, settings, fake_providers):
    settings.TWILIO_ACCOUNT_SID = fake_providers.twilio_account_sid
    settings.TWILIO_AUTH_TOKEN = fake_providers.twilio_auth_token
    settings.TWILIO_CONTENT_BASE_URL = fake_providers.urls["twilio"]
    creators_make(2, start=3)
    campaign = campaign_make(channels=("whatsapp",), locales=("es-MX",), name="Bienvenida")
    login_as("editor")

    page.goto("/campaigns/whatsapp-templates/")
    page.get_by_test_id("templates-sync").click()
    page.get_by_text("Synced 6 templates from Twilio").wait_for()
    rejected = page.locator(f'tr[data-sid="{SEED[4]["sid"]}"]')
    assert "Rejected" in rejected.inner_text() and "INVALID_FORMAT" in rejected.inner_text()
    shot(page, "templates")

    page.goto(f"/campaigns/{campaign.pk}/messages/?tab=whatsapp-es-MX")
    picker = page.get_by_test_id("template-picker")
    assert "promo_relampago" not in picker.inner_text()  # rejected: not offered
    assert "welcome_creators" not in picker.inner_text()  # English
    page.get_by_label("Search templates by name").fill("bienv")
    page.wait_for_function(
        "() => !document.querySelector('#template-options').innerText.includes('mision_nueva')"
    )
    picker.get_by_text("bienvenida_creadores").click()
    page.locator("#f-variables").fill("1={{ creator.first_name }}\n2={{ creator.level }}")
    bubble = page.get_by_test_id("whatsapp-bubble")
    bubble.get_by_text("Te damos la bienvenida").wait_for()
    assert "¡Hola Creadora! Te damos la bienvenida" in bubble.inner_text()
    assert "Tu nivel actual es 3." in bubble.inner_text()
    shot(page, "picked")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Message saved.").wait_for()
    assert page.locator(f'input[value="{WELCOME_ES}"]').is_checked()
    assert Message.objects.get(campaign=campaign).fields["content_sid"] == WELCOME_ES
