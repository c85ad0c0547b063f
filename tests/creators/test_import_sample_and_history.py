"""The import page offers a sample file that imports cleanly, and lists every past import."""

import io

import pytest

from creators.importer import creator_import_csv
from creators.models import Creator, ImportJob


@pytest.fixture
def manager(role_client):
    return role_client("manager")


def test_sample_file_downloads_and_imports_without_a_problem(manager):
    page = manager.get("/creators/import/").content.decode()
    assert 'href="/creators/import/sample.csv"' in page
    response = manager.get("/creators/import/sample.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"\xef\xbb\xbfhandle,name,email,phone")
    result = creator_import_csv(file=io.BytesIO(content))
    assert (result.created, result.rejected, result.warnings, result.encoding) == (
        3,
        0,
        [],
        "utf-8-sig",
    )
    jose = Creator.objects.get(handle="jose_pena")
    assert (jose.phone, jose.state, jose.followers) == ("+528112345678", "NLE", 8200)


def test_past_imports_are_listed_a_page_at_a_time(manager):
    for number in range(55):
        ImportJob.objects.create(
            file_name=f"file-{number}.csv",
            status=ImportJob.Status.DONE,
            created=number,
            warnings_total=1,
            encoding="cp1252",
        )
    first = manager.get("/creators/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.count("data-job=") == 50
    assert "file-54.csv" in first and "Windows-1252" in first
    assert "Page 1 of 2" in first
    second = manager.get("/creators/imports/?page=2").content.decode()
    assert second.count("data-job=") == 5 and "file-0.csv" in second
    assert 'href="/creators/imports/"' in manager.get("/creators/import/").content.decode()


def test_analysts_without_import_rights_cannot_see_imports(role_client):
    viewer = role_client("analyst")
    assert viewer.get("/creators/imports/").status_code == 403
    assert viewer.get("/creators/import/sample.csv").status_code == 403
