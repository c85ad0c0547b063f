"""Campaign messages use the WhatsApp template catalogue synced from the fake Content API:
checked at save, previewed with the approved body, refused at launch unless approved, and
owners are told when WhatsApp stops a template their campaign uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Notification
from campaigns import services
from campaigns.exceptions import MessageInvalid, WhatsAppTemplateNotApproved
from campaigns.models import Campaign
from campaigns.preview import message_preview
from channels.models import WhatsAppTemplate
from channels.whatsapp_templates import whatsapp_templates_sync
from fakes.twilio_content import SEED
from segments.services import segment_create
from tests.support.factories import creators_make

pytestmark = pytest.mark.django_db

WELCOME_ES, MISSION_ES, WELCOME_EN = SEED[0]["sid"], SEED[1]["sid"], SEED[2]["sid"]
PROMO_REJECTED, REMINDER_PENDING = SEED[4]["sid"], SEED[5]["sid"]
WELCOME_VARIABLES = {"1": "{{ creator.first_name }}", "2": "{{ creator.level }}"}


@pytest.fixture
def catalogue(settings, fake_providers):
    """The app pointed at the fake Twilio, its seeded templates synced."""
    settings.TWILIO_ACCOUNT_SID = fake_providers.twilio_account_sid
    settings.TWILIO_AUTH_TOKEN = fake_providers.twilio_auth_token
    settings.TWILIO_CONTENT_BASE_URL = fake_providers.urls["twilio"]
    whatsapp_templates_sync()
    return fake_providers


def _campaign(owner=None, *, sid: str = WELCOME_ES, variables=None) -> Campaign:
    segment = segment_create(name="Todas", rules={"all": []})
    return services.campaign_create(
        owner=owner,
        name="Bienvenida",
        kind=Campaign.Kind.ANNOUNCEMENT,
        segment=segment,
        messages=[
            {
                "channel": "whatsapp",
                "locale": "es-MX",
                "content_sid": sid,
                "variables": variables or dict(WELCOME_VARIABLES),
            }
        ],
    )


def _errors(locale: str, fields: dict) -> list[tuple[str, int, str]]:
    with pytest.raises(MessageInvalid) as caught:
        services.message_fields_validate(channel="whatsapp", locale=locale, fields=fields)
    return [(e["field"], e["line"], e["cause"]) for e in caught.value.errors]


def test_save_checks_the_number_and_names_of_the_variables(catalogue):
    services.message_fields_validate(
        channel="whatsapp",
        locale="es-MX",
        fields={"content_sid": WELCOME_ES, "variables": WELCOME_VARIABLES},
    )
    errors = _errors(
        "es-MX",
        {"content_sid": WELCOME_ES, "variables": {"1": "{{ creator.first_name }}", "nombre": "x"}},
    )
    assert [(field, line) for field, line, _ in errors] == [("variables", 2), ("variables", 3)]
    assert "has no variable {{nombre}}" in errors[0][2] and "{{1}}, {{2}}" in errors[0][2]
    assert "needs a value for {{2}}" in errors[1][2]


def test_save_refuses_unknown_and_stopped_templates(catalogue):
    [(field, line, cause)] = _errors("es-MX", {"content_sid": "HX" + "f" * 32, "variables": {}})
    assert (field, line) == ("content_sid", 1) and "no WhatsApp template" in cause
    errors = _errors("es-MX", {"content_sid": PROMO_REJECTED, "variables": {"1": "Hola"}})
    assert [(f, line) for f, line, _ in errors] == [("content_sid", 1)]
    assert "is Rejected at WhatsApp" in errors[0][2]


def test_preview_shows_the_approved_body_filled_for_the_sample_creator(catalogue):
    creators_make(1, start=3)  # Creadora 3, level 3, es-MX
    campaign = _campaign()
    preview = message_preview(
        campaign=campaign,
        channel="whatsapp",
        locale="es-MX",
        fields={"content_sid": WELCOME_ES, "variables": WELCOME_VARIABLES},
    )
    assert preview.errors == []
    assert preview.content["template_body"] == (
        "¡Hola Creadora! Te damos la bienvenida al programa de creadores de Altavoz. "
        "Tu nivel actual es 3. ¿Quieres recibir tu primera misión?"
    )
    assert preview.content["template_buttons"] == ["Sí, quiero", "Más tarde"]


def test_preview_page_shows_the_body_not_the_sid(catalogue, role_client):
    creators_make(1, start=3)
    campaign = _campaign()
    client = role_client("editor")
    html = client.post(
        f"/campaigns/{campaign.pk}/messages/preview/",
        {
            "channel": "whatsapp",
            "locale": "es-MX",
            "content_sid": WELCOME_ES,
            "variables": "1={{ creator.first_name }}\n2={{ creator.level }}",
        },
    ).content.decode()
    assert "¡Hola Creadora! Te damos la bienvenida" in html
    assert f"Template {WELCOME_ES}" not in html


def test_a_campaign_whose_template_is_rejected_cannot_launch(catalogue, role_client):
    creators_make(2)
    campaign = _campaign()
    catalogue.content_template_set(WELCOME_ES, status="rejected", rejection_reason="SPAM")
    whatsapp_templates_sync()
    with pytest.raises(WhatsAppTemplateNotApproved, match="bienvenida_creadores"):
        services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and campaign.last_run == 0
    html = role_client("analyst").get(campaign.get_absolute_url()).content.decode()
    assert 'data-testid="campaign-templates"' in html and "SPAM" in html
    catalogue.content_template_set(WELCOME_ES, status="approved")
    whatsapp_templates_sync()
    assert services.campaign_launch(campaign=campaign).status == Campaign.Status.SENDING


def test_a_pending_template_cannot_launch_either(catalogue):
    creators_make(1)
    campaign = _campaign(sid=REMINDER_PENDING, variables={"1": "a", "2": "b"})
    with pytest.raises(WhatsAppTemplateNotApproved, match="Pending"):
        services.campaign_launch(campaign=campaign)


def test_owner_is_notified_when_a_scheduled_campaigns_template_is_paused(
    catalogue, role_client, django_user_model
):
    creators_make(1)
    owner = role_client("editor").user
    campaign = _campaign(owner)
    services.campaign_schedule(campaign=campaign, send_at=timezone.now() + timedelta(days=1))
    draft = _campaign(owner)  # a draft using it too: nobody is told about drafts
    catalogue.content_template_set(WELCOME_ES, status="paused")
    whatsapp_templates_sync()
    [notification] = Notification.objects.filter(user=owner)
    assert "bienvenida_creadores" in notification.text and "Paused" in notification.text
    assert notification.url == campaign.get_absolute_url() != draft.get_absolute_url()
    whatsapp_templates_sync()  # still paused: no second notification
    assert Notification.objects.filter(user=owner).count() == 1
    assert WhatsAppTemplate.objects.get(sid=WELCOME_ES).status == "paused"
