"""Send test of a campaign with an A/B test sends variant A's message, not the unused message
without a variant."""

from __future__ import annotations

import pytest

from campaigns import services
from campaigns.models import Campaign
from tests.campaigns.test_ui_test_send import providers  # noqa: F401 (fixture)
from tests.support.factories import campaign_make

pytestmark = pytest.mark.django_db


def test_send_test_uses_variant_a(providers, role_client):  # noqa: F811
    campaign = campaign_make(channels=("whatsapp",), locales=("es-MX",))
    for variant in ("A", "B"):
        services.campaign_message_set(
            campaign=campaign,
            channel="whatsapp",
            locale="es-MX",
            variant=variant,
            fields={"body": f"Variante {variant} para {{{{ creator.first_name }}}}"},
        )
    Campaign.objects.filter(pk=campaign.pk).update(variant_weights={"A": 50, "B": 50})

    response = role_client("editor").post(
        f"/campaigns/{campaign.pk}/test-send/",
        {"recipients": "+5215512345678", "locale": "es-MX"},
    )

    assert response.status_code == 200, response.content.decode()
    [whatsapp] = providers.received("twilio")
    assert whatsapp["request"]["Body"] == "Variante A para María"
