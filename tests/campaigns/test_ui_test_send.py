"""Send test: the review page sends the rendered message through the real email and WhatsApp
adapters (against the fake providers) to typed-in addresses, without making deliveries."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from campaigns.models import Delivery
from tests.support.factories import campaign_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(fake_providers, settings):
    for key, value in fake_providers.settings_env().items():
        if key not in ("PROVIDER_RATE_LIMITS", "DISPATCH_PARALLELISM", "EMAIL_PORT"):
            setattr(settings, key, value)
    settings.EMAIL_PROVIDER = "sendgrid"
    settings.TWILIO_WHATSAPP_FROM = "+14155238886"
    return fake_providers


def test_send_test_goes_through_the_adapters_and_makes_no_delivery(providers, role_client):
    campaign = campaign_make()
    client = role_client("editor")
    response = client.post(
        f"/campaigns/{campaign.pk}/test-send/",
        {"recipients": "ana@example.com\n\n+5215512345678\n", "locale": "en"},
    )
    assert response.status_code == 200, response.content.decode()
    html = response.content.decode()
    assert "ana@example.com (email): sent" in html and "+5215512345678 (whatsapp): sent" in html
    [email] = providers.received("sendgrid")
    [whatsapp] = providers.received("twilio")
    assert "ana@example.com" in str(email["request"])
    assert whatsapp["request"]["To"] == "whatsapp:+5215512345678"
    assert "Hola María" in whatsapp["request"]["Body"]  # the sample creator (empty segment)
    assert not Delivery.objects.exists()
    assert AuditEntry.objects.filter(action="campaign.test_send").count() == 1


def test_send_test_needs_an_address(providers, role_client):
    campaign = campaign_make()
    response = role_client("editor").post(
        f"/campaigns/{campaign.pk}/test-send/", {"recipients": "   ", "locale": "en"}
    )
    assert response.status_code == 400
    assert providers.received() == []
