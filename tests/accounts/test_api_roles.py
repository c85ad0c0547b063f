"""The JSON API asks for the same permissions as the pages: a token is only as strong as its
user's role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.services import api_token_create
from campaigns.models import Campaign
from creators.models import Creator, ImportJob
from segments.services import segment_create
from tests.support.factories import MESSAGES, creators_make, user_make

CSV = "handle,name,email\nnueva_1,Nueva Uno,n1@example.com\n"


@pytest.fixture
def token_client(db):
    def make(role: str) -> Client:
        user = user_make(f"{role}-api", role=role, email="")
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")

    return make


def _campaign_payload(segment_id: int) -> dict:
    return {
        "name": "Reto",
        "kind": "competition",
        "market": "MX",
        "segment_id": segment_id,
        "default_locale": "es-MX",
        "messages": [{"channel": "inbox", "locale": "es-MX", **MESSAGES["inbox"]}],
    }


def _draft(client: Client) -> int:
    segment = segment_create(name=f"Todos {Campaign.objects.count()}", rules={"all": []})
    response = client.post(
        "/api/campaigns", _campaign_payload(segment.pk), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_analyst_reads_but_cannot_create_launch_or_import(token_client):
    manager, analyst = token_client("manager"), token_client("analyst")
    creators_make(2)
    campaign_id = _draft(manager)

    assert analyst.get(f"/api/campaigns/{campaign_id}").status_code == 200
    assert analyst.get(f"/api/campaigns/{campaign_id}/stats").status_code == 200

    segment = segment_create(name="Otro", rules={"all": []})
    refused = analyst.post(
        "/api/campaigns", _campaign_payload(segment.pk), content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role does not allow this."}
    assert Campaign.objects.count() == 1

    assert analyst.post(f"/api/campaigns/{campaign_id}/launch").status_code == 403
    assert Campaign.objects.get(pk=campaign_id).status == Campaign.Status.DRAFT

    for path in ("/api/creators/import", "/api/creators/imports"):
        upload = SimpleUploadedFile("creators.csv", CSV.encode(), content_type="text/csv")
        response = analyst.post(path, {"file": upload})
        assert response.status_code == 403, path
    assert not ImportJob.objects.exists()
    assert not Creator.objects.filter(handle="nueva_1").exists()
    assert (
        analyst.post(
            "/api/segments", {"name": "x", "rules": {"all": []}}, content_type="application/json"
        ).status_code
        == 403
    )


def test_editor_drafts_but_cannot_launch_pause_or_cancel(token_client):
    editor = token_client("editor")
    creators_make(2)
    campaign_id = _draft(editor)
    for action in ("launch", "pause", "resume", "cancel"):
        response = editor.post(f"/api/campaigns/{campaign_id}/{action}")
        assert response.status_code == 403, action
    assert Campaign.objects.get(pk=campaign_id).status == Campaign.Status.DRAFT


def test_manager_launches(token_client):
    manager = token_client("manager")
    creators_make(2)
    campaign_id = _draft(manager)
    response = manager.post(f"/api/campaigns/{campaign_id}/launch")
    assert response.status_code == 202, response.content
    assert Campaign.objects.get(pk=campaign_id).status != Campaign.Status.DRAFT


def test_agency_member_gets_nothing_from_the_ops_api(token_client):
    manager, agency = token_client("manager"), token_client("agency")
    (creator,) = creators_make(1)
    campaign_id = _draft(manager)
    assert agency.get(f"/api/campaigns/{campaign_id}").status_code == 403
    assert agency.get(f"/api/creators/{creator.handle}").status_code == 403
    assert agency.get(f"/api/campaigns/{campaign_id}/stats").status_code == 403
