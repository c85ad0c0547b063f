"""The readiness checklist lists each WhatsApp template a program's campaign uses, failing
while WhatsApp has not approved it (the fake Content API changes its status)."""

from __future__ import annotations

import pytest

from channels.whatsapp_templates import whatsapp_templates_sync
from fakes.twilio_content import SEED
from programs import readiness
from tests.support.factories import creators_make, program_make

pytestmark = pytest.mark.django_db

WELCOME_ES = SEED[0]["sid"]


def test_checklist_fails_while_the_template_is_not_approved(settings, fake_providers):
    settings.TWILIO_ACCOUNT_SID = fake_providers.twilio_account_sid
    settings.TWILIO_AUTH_TOKEN = fake_providers.twilio_auth_token
    settings.TWILIO_CONTENT_BASE_URL = fake_providers.urls["twilio"]
    whatsapp_templates_sync()
    creators_make(2)
    program = program_make(
        messages=[
            {
                "channel": "whatsapp",
                "locale": "es-MX",
                "content_sid": WELCOME_ES,
                "variables": {"1": "{{ creator.first_name }}", "2": "{{ creator.level }}"},
            }
        ],
    )
    key = f"whatsapp-template:{WELCOME_ES}"

    def item():
        items = readiness.campaign_checklist(campaign=program.campaign).items  # no links
        return next(i for i in items if i.key == key)

    assert item().ok and str(item().label) == "WhatsApp template approved: bienvenida_creadores"
    fake_providers.content_template_set(WELCOME_ES, status="paused", rejection_reason="Low quality")
    whatsapp_templates_sync()
    failing = item()
    assert not failing.ok and failing.detail == "Paused: Low quality"
    assert failing.fix == "Pick an approved template in the WhatsApp message."
