"""Notes the system writes on a campaign and its deliveries are kept as codes and read in the
viewer's language, whatever language the worker ran in; a provider's own words are shown as
the provider's, marked as English."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone, translation

from audit.models import AuditEntry
from campaigns import dispatch, fanout, services
from campaigns.models import Campaign, Delivery
from tests.support.factories import campaign_make, creators_make, user_make

pytestmark = pytest.mark.django_db


def _page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url).content.decode()


@pytest.fixture
def ops(client):
    client.force_login(user_make("notas-admin", is_superuser=True, is_staff=True))
    return client


def test_approval_by_launching_reads_in_each_viewers_language(ops, settings):
    settings.REQUIRE_APPROVAL = True
    creators_make(2)
    with translation.override("es-mx"):  # the launching manager's language
        campaign = services.campaign_launch(
            campaign=campaign_make(), actor=user_make("gerente-notas", role="manager")
        )
    campaign.refresh_from_db()
    code = {"code": "campaign.launch_approved", "params": {}}
    assert (campaign.approval_note, campaign.approval_note_message) == ("", code)
    assert AuditEntry.objects.get(action="campaign.approve").detail == {"note": code}

    english = _page(ops, campaign.get_absolute_url(), "en")
    spanish = _page(ops, campaign.get_absolute_url(), "es-mx")
    assert ": Approved by launching it</p>" in english and "Aprobada al lanzarla" not in english
    assert ": Aprobada al lanzarla</p>" in spanish and "Approved by launching it" not in spanish
    assert "Approved by launching it" in _page(ops, "/audit/", "en")


def test_old_approval_notes_become_codes(db):
    campaign = campaign_make()
    Campaign.objects.filter(pk=campaign.pk).update(
        approval_status="approved", approval_note="Aprobada al lanzarla"
    )
    kept = campaign_make(name="Con nota")
    Campaign.objects.filter(pk=kept.pk).update(approval_note="Falta el premio")
    entry = AuditEntry.objects.create(
        action="campaign.approve",
        target_type="campaign",
        target_id=str(campaign.pk),
        detail={"note": "Approved by launching it"},
    )
    migration = importlib.import_module("campaigns.migrations.0022_approval_note_message")
    migration.notes_to_codes(apps, None)

    code = {"code": "campaign.launch_approved", "params": {}}
    campaign.refresh_from_db()
    kept.refresh_from_db()
    entry.refresh_from_db()
    assert (campaign.approval_note, campaign.approval_note_message) == ("", code)
    assert (kept.approval_note, kept.approval_note_message) == ("Falta el premio", {})
    assert entry.detail == {"note": code}
    with translation.override("en"):
        assert campaign.approval_note_text == "Approved by launching it"


def test_delivery_notes_are_codes_and_provider_text_is_the_providers(ops):
    creators_make(3)
    campaign = services.campaign_launch(campaign=campaign_make(channels=("whatsapp",)))
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    lost, legacy, refused = Delivery.objects.filter(campaign=campaign).order_by("pk")[:3]
    Delivery.objects.filter(pk=lost.pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    with translation.override("es-mx"):  # a worker's language
        assert dispatch.deliveries_mark_lost() == 1
    lost.refresh_from_db()
    assert (lost.status, lost.error_message) == ("unknown", "delivery.worker_lost")
    # Stored before the codes existed, in English: read as the same message.
    Delivery.objects.filter(pk=legacy.pk).update(
        status=Delivery.Status.UNKNOWN, error_message="Reported failed by the provider."
    )
    Delivery.objects.filter(pk=refused.pk).update(
        status=Delivery.Status.FAILED,
        error_code="63016",
        error_message="Failed to send freeform message outside the window.",
    )

    rows = _page(ops, f"/campaigns/{campaign.pk}/deliveries/", "en")
    assert "<small>The worker stopped while sending; the provider may or may not have it." in rows
    assert "<small>Reported failed by the provider.</small>" in rows
    assert "delivery.worker_lost" not in rows
    assert (
        '<small>Provider: <span lang="en">Failed to send freeform message outside the window.'
        in rows
    )
