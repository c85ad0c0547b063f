"""Playbook pages: import with a per-line report, manual create and edit, permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from markets.models import Playbook
from tests.markets.csvfiles import GOOD_AND_BAD

pytestmark = pytest.mark.django_db


def test_import_page_reports_each_bad_line(role_client):
    client = role_client("manager")
    upload = SimpleUploadedFile("p.csv", GOOD_AND_BAD.encode(), content_type="text/csv")
    response = client.post("/markets/playbooks/import/", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 created, 0 updated, 2 bad rows." in html
    for line in (3, 5, 6):
        assert f'data-line="{line}"' in html
    assert 'id="import-warnings"' in html and "Read as UTF-8." in html
    assert Playbook.objects.count() == 4


def test_editor_cannot_import_but_can_create_and_edit(role_client):
    client = role_client("editor")
    upload = SimpleUploadedFile("p.csv", GOOD_AND_BAD.encode(), content_type="text/csv")
    assert client.post("/markets/playbooks/import/", {"file": upload}).status_code == 403
    form = {
        "market": "BR",
        "title": "Push semanal",
        "kind": "education",
        "steps": "push@0:invite;email@7:recap",
        "tags": "Push, Weekly",
        "open_rate": "22.5",
    }
    response = client.post("/markets/playbooks/new/", form)
    playbook = Playbook.objects.get()
    assert response.status_code == 302 and response["Location"] == playbook.get_absolute_url()
    assert playbook.tags == ["push", "weekly"] and playbook.channels == ["push", "email"]
    page = client.get(f"/markets/playbooks/{playbook.pk}/edit/").content.decode()
    assert "push@0:invite;email@7:recap" in page
    response = client.post(
        f"/markets/playbooks/{playbook.pk}/edit/", {**form, "steps": "push@3:invite"}
    )
    assert response.status_code == 400
    assert "make it day 0" in response.content.decode()


def test_analyst_reads_but_cannot_add(role_client):
    client = role_client("analyst")
    assert client.get("/markets/").status_code == 200
    assert client.get("/markets/playbooks/new/").status_code == 403


def test_admin_adds_a_playbook_with_its_steps(admin_client):
    form = {
        "market": "ES",
        "title": "Email de bienvenida",
        "kind": "announcement",
        "steps": "email@0:welcome;inbox@1:reminder",
        "tags": "",
    }
    response = admin_client.post("/admin/markets/playbook/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Playbook.objects.get().steps[1] == {"channel": "inbox", "day": 1, "purpose": "reminder"}


def test_import_page_offers_a_sample_that_imports_and_lists_past_imports(role_client):
    client = role_client("manager")
    page = client.get("/markets/playbooks/import/").content.decode()
    assert 'href="/markets/playbooks/import/sample.csv"' in page
    sample = client.get("/markets/playbooks/import/sample.csv")
    assert sample.status_code == 200 and sample["Content-Type"].startswith("text/csv")
    upload = SimpleUploadedFile("sample.csv", sample.content, content_type="text/csv")
    html = client.post("/markets/playbooks/import/", {"file": upload}).content.decode()
    assert "2 created, 0 updated, 0 bad rows." in html
    assert "UTF-8 with a byte-order mark" in html
    assert Playbook.objects.get(market_id="CO").open_rate == 52
    listed = client.get("/markets/playbooks/import/").content.decode()
    assert 'id="import-list"' in listed and "manager-user" in listed
