"""Who may see creators and who may import them, checked at the URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from creators.models import Creator, ImportJob
from tests.creators.csvfiles import creator_row, csv_bytes


@pytest.fixture
def ana(db):
    return Creator.objects.create(handle="ana", name="Ana")


@pytest.mark.parametrize("role", ["analyst", "editor", "manager", "admin"])
def test_every_role_sees_the_list_and_the_creator_page(role_client, role, ana):
    client = role_client(role)
    assert client.get("/creators/").status_code == 200
    assert client.get(f"/creators/{ana.pk}/").status_code == 200


@pytest.mark.parametrize("role", ["analyst", "editor"])
def test_roles_without_add_creator_get_403_on_import(role_client, role, ana):
    client = role_client(role)
    assert client.get("/creators/import/").status_code == 403
    upload = SimpleUploadedFile("c.csv", csv_bytes([creator_row("beto")]))
    assert client.post("/creators/import/", {"file": upload}).status_code == 403
    assert not ImportJob.objects.exists()
    assert not Creator.objects.filter(handle="beto").exists()


def test_analyst_gets_403_on_someone_elses_import_job(role_client, ana):
    job = ImportJob.objects.create(file_name="c.csv", file="imports/c.csv")
    assert role_client("analyst").get(f"/creators/import/{job.pk}/").status_code == 403


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_may_import(role_client, role):
    assert role_client(role).get("/creators/import/").status_code == 200


@pytest.mark.parametrize("path", ["/creators/", "/creators/{pk}/", "/creators/import/"])
def test_anonymous_is_sent_to_sign_in(client, ana, path):
    response = client.get(path.format(pk=ana.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_list_offers_the_import_link_only_to_those_who_may_import(role_client, ana):
    assert "/creators/import/" not in role_client("analyst").get("/creators/").content.decode()
    assert "/creators/import/" in role_client("manager").get("/creators/").content.decode()
