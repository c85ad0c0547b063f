"""The ops templates page and the wizard's template picker, through the Django test client."""

from __future__ import annotations

import pytest

from campaigns.models import Campaign, Message
from channels.models import WhatsAppTemplate
from fakes.twilio_content import SEED
from segments.services import segment_create

pytestmark = pytest.mark.django_db

WELCOME_ES, PROMO_REJECTED = SEED[0]["sid"], SEED[4]["sid"]


@pytest.fixture
def twilio_settings(settings, fake_providers):
    settings.TWILIO_ACCOUNT_SID = fake_providers.twilio_account_sid
    settings.TWILIO_AUTH_TOKEN = fake_providers.twilio_auth_token
    settings.TWILIO_CONTENT_BASE_URL = fake_providers.urls["twilio"]
    return fake_providers


def test_sync_now_mirrors_the_fake_including_a_status_change(twilio_settings, role_client):
    editor = role_client("editor")
    assert "No templates yet" in editor.get("/campaigns/whatsapp-templates/").content.decode()
    response = editor.post("/campaigns/whatsapp-templates/sync/", follow=True)
    html = response.content.decode()
    assert f"Synced {len(SEED)} templates from Twilio" in html
    for template in SEED:
        assert template["friendly_name"] in html
    assert "INVALID_FORMAT." in html  # the rejected one shows why
    twilio_settings.content_template_set(WELCOME_ES, status="disabled")
    html = editor.post("/campaigns/whatsapp-templates/sync/", follow=True).content.decode()
    assert "1 stopped" in html
    assert WhatsAppTemplate.objects.get(sid=WELCOME_ES).status == "disabled"


def test_the_list_searches_by_name_and_filters(twilio_settings, role_client):
    analyst = role_client("analyst")
    role_client("editor").post("/campaigns/whatsapp-templates/sync/")
    html = analyst.get("/campaigns/whatsapp-templates/", {"q": "BIENVENIDA"}).content.decode()
    assert "bienvenida_creadores" in html and "welcome_creators" not in html
    html = analyst.get("/campaigns/whatsapp-templates/", {"status": "rejected"}).content.decode()
    assert "promo_relampago" in html and "bienvenida_creadores" not in html
    html = analyst.get("/campaigns/whatsapp-templates/", {"locale": "en"}).content.decode()
    assert "welcome_creators" in html and "mision_nueva" not in html
    response = analyst.get("/campaigns/whatsapp-templates/", {"status": "<x>", "page": "zz"})
    assert response.status_code == 200


def test_analysts_cannot_sync_and_a_twilio_outage_is_a_message(twilio_settings, role_client):
    assert role_client("analyst").post("/campaigns/whatsapp-templates/sync/").status_code == 403
    twilio_settings.set_behaviour("twilio", failure={"mode": "5xx", "status": 500, "count": 1})
    html = role_client("editor").post("/campaigns/whatsapp-templates/sync/", follow=True)
    assert "could not be read from Twilio (HTTP 500)" in html.content.decode()
    assert WhatsAppTemplate.objects.count() == 0


def test_the_picker_lists_approved_templates_of_the_language(twilio_settings, role_client):
    editor = role_client("editor")
    editor.post("/campaigns/whatsapp-templates/sync/")
    html = editor.get(
        "/campaigns/whatsapp-templates/picker/", {"locale": "es-MX", "template_q": ""}
    ).content.decode()
    assert "bienvenida_creadores" in html and "mision_nueva" in html
    assert "promo_relampago" not in html and "recordatorio_muestra" not in html  # not approved
    assert "welcome_creators" not in html  # English
    html = editor.get(
        "/campaigns/whatsapp-templates/picker/",
        {"locale": "es-MX", "template_q": "misión", "content_sid": PROMO_REJECTED},
    ).content.decode()
    # The chosen one stays listed (with its status) even when the search leaves it out.
    assert "promo_relampago" in html and "Rejected" in html and "bienvenida" not in html
    assert editor.get("/campaigns/whatsapp-templates/picker/", {"locale": "xx"}).status_code == 400


def test_the_messages_step_offers_the_picker_and_saves_the_choice(twilio_settings, role_client):
    editor = role_client("editor")
    editor.post("/campaigns/whatsapp-templates/sync/")
    segment = segment_create(name="Todas", rules={"all": []})
    editor.post(
        "/campaigns/new/",
        {"name": "Bienvenida", "kind": "announcement", "market": "MX", "default_locale": "es-MX"},
    )
    campaign = Campaign.objects.get()
    editor.post(
        f"/campaigns/{campaign.pk}/audience/", {"segment": segment.pk, "channels": ["whatsapp"]}
    )
    html = editor.get(f"/campaigns/{campaign.pk}/messages/").content.decode()
    assert 'data-testid="template-picker"' in html and "bienvenida_creadores" in html
    response = editor.post(
        f"/campaigns/{campaign.pk}/messages/",
        {"channel": "whatsapp", "locale": "es-MX", "content_sid": WELCOME_ES, "variables": "1=x"},
    )
    assert response.status_code == 400
    assert "Line 2: The template “bienvenida_creadores” needs a value for {{2}}" in (
        response.content.decode()
    )
    response = editor.post(
        f"/campaigns/{campaign.pk}/messages/",
        {
            "channel": "whatsapp",
            "locale": "es-MX",
            "content_sid": WELCOME_ES,
            "variables": "1={{ creator.first_name }}\n2={{ creator.level }}",
        },
    )
    assert response.status_code == 302
    assert Message.objects.get().fields["content_sid"] == WELCOME_ES
    html = editor.get(response["Location"]).content.decode()
    assert f'value="{WELCOME_ES}" checked' in html


def test_the_api_lists_the_catalogue_filtered(twilio_settings, role_client, api_client):
    role_client("editor").post("/campaigns/whatsapp-templates/sync/")
    response = api_client.get("/api/whatsapp-templates", {"locale": "es-MX", "status": "approved"})
    assert response.status_code == 200
    body = response.json()
    assert [t["friendly_name"] for t in body] == ["bienvenida_creadores", "mision_nueva"]
    assert body[0]["variables"] == {"1": "Ana", "2": "Plata"} and body[0]["sid"] == WELCOME_ES
    [rejected] = api_client.get("/api/whatsapp-templates", {"q": "promo"}).json()
    assert rejected["status"] == "rejected" and rejected["rejection_reason"]
    assert api_client.get("/api/whatsapp-templates", {"status": "nope"}).status_code == 400
    assert api_client.get("/api/whatsapp-templates", {"limit": "0"}).status_code == 400
