"""Editors write a brief from the ops UI; the agency's people are told; analysts cannot."""

from __future__ import annotations

import pytest

from agencies.models import Brief, Notification
from campaigns.models import Campaign
from tests.support.factories import (
    agency_make,
    agency_user_make,
    campaign_make,
    client_for,
    user_make,
)

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Guía de envíos",
    "objective": "Que los creadores sepan cómo se envía un pedido.",
    "key_messages": "Envío gratis\nSeguimiento en la app",
    "language": "es-MX",
    "final_due": "2030-02-01",
    "first_draft_due": "2030-01-15",
    "checklist": "Matches the key messages\nPolicy compliance\n",
    "deliverable_kind": "guide",
    "deliverable_title": "Guía PDF",
}


def test_editor_writes_a_brief_linked_to_a_campaign(role_groups):
    agency = agency_make("Alfa")
    writer = agency_user_make(agency, "alfa-writer")
    campaign = campaign_make()
    editor = client_for(user_make("editor-ops", role="editor"))
    assert editor.get("/agencies/briefs/new/").status_code == 200
    response = editor.post(
        "/agencies/briefs/new/",
        {**FORM, "agency": agency.pk, "campaign": campaign.pk, "education_slug": "envios-101"},
    )
    assert response.status_code == 302
    brief = Brief.objects.get()
    assert (brief.agency, brief.campaign, brief.education_slug) == (agency, campaign, "envios-101")
    assert list(brief.checklist.values_list("text", flat=True)) == [
        "Matches the key messages",
        "Policy compliance",
    ]
    deliverable = brief.deliverables.get()
    assert (deliverable.kind, str(deliverable.due_date)) == ("guide", "2030-01-15")
    assert Notification.objects.get(user=writer).text == "New brief: Guía de envíos"
    assert Campaign.objects.count() == 1


def test_analyst_cannot_write_a_brief(role_groups):
    agency = agency_make("Alfa")
    analyst = client_for(user_make("analyst-ops", role="analyst"))
    assert analyst.get("/agencies/briefs/new/").status_code == 403
    assert analyst.post("/agencies/briefs/new/", {**FORM, "agency": agency.pk}).status_code == 403
    assert not Brief.objects.exists()
    assert analyst.get("/agencies/").status_code == 200  # reads the tracking page
