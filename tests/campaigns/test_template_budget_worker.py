"""Through a real Celery worker and the SendGrid fake: a template over budget for one creator,
and a link that creator data would turn into `javascript:`, fail only those deliveries; the
worker sends every other one and nothing unsafe reaches the provider."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from campaigns import services
from campaigns.models import Campaign, Delivery
from creators.models import Creator
from tests.campaigns.outbox import delivery_ids_received
from tests.support.factories import MESSAGES, campaign_make, creators_make

pytestmark = pytest.mark.worker

HTML = (
    "<p>Hola {{ creator.first_name }}</p>\n"
    "<p>{% for a in creator.tags %}{% for b in creator.tags %}{{ a }} {% endfor %}{% endfor %}</p>\n"
    "<p><a href=\"{{ creator.category or 'https://altavoz.mx/retos' }}\">Ver el reto</a></p>\n"
)


def test_one_creator_over_budget_and_one_bad_link_fail_alone(dispatch_rig):
    creators_make(20)
    heavy = Creator.objects.get(handle="creador_3")
    heavy.tags = [f"etiqueta-{index}" for index in range(300)]  # 90,000 loop iterations
    heavy.save(update_fields=["tags"])
    Creator.objects.filter(handle="creador_7").update(category="javascript:alert(1)")
    campaign = campaign_make(channels=("email",))
    for locale in ("es-MX", "en"):
        services.campaign_message_set(
            campaign=campaign,
            channel="email",
            locale=locale,
            fields={**MESSAGES["email"], "html": HTML},
        )
    dispatch_rig.worker_start()

    services.campaign_launch(campaign=campaign)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.SENT:
            break
        time.sleep(0.5)
    deliveries = Delivery.objects.filter(campaign=campaign)
    states = Counter(deliveries.values_list("status", flat=True))
    assert campaign.status == Campaign.Status.SENT, f"{states}\n{dispatch_rig.worker_log()}"

    failed = {row.creator.handle: row for row in deliveries.filter(status=Delivery.Status.FAILED)}
    assert set(failed) == {"creador_3", "creador_7"}
    assert failed["creador_3"].error_code == "render_budget"
    # Kept as a code with its field and line, read in the viewer's language (English here).
    assert str(failed["creador_3"].error_note).startswith("Field html, line 2: ")
    assert failed["creador_7"].error_code == "render_link"
    assert str(failed["creador_7"].error_note).startswith("Field html, line 3: ")
    assert states[Delivery.Status.SENT] == 18

    received = delivery_ids_received(dispatch_rig.fakes, "sendgrid")
    assert set(received) == set(
        deliveries.filter(status=Delivery.Status.SENT).values_list("id", flat=True)
    )
    requests = json.dumps([entry["request"] for entry in dispatch_rig.fakes.received("sendgrid")])
    assert "javascript:" not in requests
    assert "etiqueta-299" not in requests
