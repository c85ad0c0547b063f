"""REQUIRE_APPROVAL: an editor submits, a manager approves (and it starts) or rejects."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from audit.models import AuditEntry
from campaigns.models import Campaign
from tests.support.factories import campaign_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval_on(settings):
    settings.REQUIRE_APPROVAL = True


def _actions(campaign: Campaign) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(campaign.pk), action__startswith="campaign.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_editor_submits_and_manager_approves_and_it_starts(approval_on, role_client):
    campaign = campaign_make()
    editor, manager = role_client("editor"), role_client("manager")
    review = editor.get(f"/campaigns/{campaign.pk}/review/").content.decode()
    assert ">Submit for approval</button>" in review and 'id="launch"' not in review

    assert editor.post(f"/campaigns/{campaign.pk}/submit/").status_code == 302
    campaign.refresh_from_db()
    assert (campaign.approval_status, campaign.approval_requested_by) == ("pending", editor.user)

    listing = manager.get("/campaigns/approvals/").content.decode()
    assert campaign.name in listing
    review = manager.get(f"/campaigns/{campaign.pk}/review/").content.decode()
    assert ">Approve</button>" in review and ">Reject</button>" in review

    assert manager.post(f"/campaigns/{campaign.pk}/approve/").status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_status) == ("sending", "approved")
    assert campaign.approval_decided_by == manager.user
    assert _actions(campaign) == ["campaign.submit", "campaign.approve", "campaign.sending"]
    assert campaign.name not in manager.get("/campaigns/approvals/").content.decode()


def test_manager_rejects_with_a_note_and_the_campaign_stays_a_draft(approval_on, role_client):
    campaign = campaign_make()
    editor, manager = role_client("editor"), role_client("manager")
    editor.post(f"/campaigns/{campaign.pk}/submit/")
    response = manager.post(f"/campaigns/{campaign.pk}/reject/", {"note": "Falta el premio"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_status) == ("draft", "rejected")
    assert campaign.approval_note == "Falta el premio"
    assert _actions(campaign) == ["campaign.submit", "campaign.reject"]
    assert "Falta el premio" in editor.get(f"/campaigns/{campaign.pk}/review/").content.decode()


def test_launch_refuses_an_unapproved_campaign(approval_on, role_client):
    campaign = campaign_make()
    client = role_client("editor")
    client.user.user_permissions.add(Permission.objects.get(codename="launch_campaign"))
    response = client.post(f"/campaigns/{campaign.pk}/launch/")
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_a_manager_launching_directly_is_recorded_as_approving(approval_on, role_client):
    campaign = campaign_make()
    manager = role_client("manager")
    assert manager.post(f"/campaigns/{campaign.pk}/launch/").status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_status) == ("sending", "approved")
    assert _actions(campaign) == ["campaign.approve", "campaign.sending"]


def test_editing_an_approved_campaign_needs_a_new_approval(approval_on, role_client):
    campaign = campaign_make()
    editor, manager = role_client("editor"), role_client("manager")
    editor.post(f"/campaigns/{campaign.pk}/submit/")
    campaign.refresh_from_db()
    editor.post(
        f"/campaigns/{campaign.pk}/messages/",
        {"channel": "push", "locale": "es-MX", "title": "Otro", "body": "Hola"},
    )
    campaign.refresh_from_db()
    assert campaign.approval_status == ""
    assert manager.post(f"/campaigns/{campaign.pk}/approve/").status_code == 400
