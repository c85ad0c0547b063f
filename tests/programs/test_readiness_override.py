"""A manager launches despite failing items only with a written reason, which is audited."""

import pytest
from django.utils import translation

from audit.models import AuditEntry
from audit.presenters import audit_row
from campaigns.models import Campaign
from programs import readiness
from programs.exceptions import OverrideReasonMissing
from programs.models import ReadinessOverride
from tests.support.factories import creators_make, program_make


def test_override_needs_a_reason_and_is_audited(db, django_user_model):
    creators_make(2)
    manager = django_user_model.objects.create_user(username="gerente", password="x")
    campaign = program_make().campaign  # no rules, FAQ or landing page: not ready

    with pytest.raises(OverrideReasonMissing):
        readiness.campaign_launch_overriding(campaign=campaign, reason="  ", actor=manager)
    assert not ReadinessOverride.objects.exists()

    reason = "Las páginas se publican a las 9:00, antes del primer envío."
    readiness.campaign_launch_overriding(campaign=campaign, reason=reason, actor=manager)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    entry = AuditEntry.objects.get(action="campaign.readiness_override")
    assert entry.actor == manager
    assert entry.detail["reason"] == reason
    # The failing items are kept as codes: the audit log reads them in its viewer's language.
    assert entry.detail["failing"] == [{"code": "readiness.pages", "params": {}}]
    assert ReadinessOverride.objects.get().failing == entry.detail["failing"]
    with translation.override("en"):
        assert audit_row(entry).detail[1] == ("failing", "Rules, FAQ and landing page")
    with translation.override("es-mx"):
        assert audit_row(entry).detail[1] == (
            "pendientes de cumplir",
            "Reglas, preguntas frecuentes y página de destino",
        )
