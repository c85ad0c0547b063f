"""The import page: upload, a task runs the importer, the page shows progress and the report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from audit.models import AuditEntry
from creators import tasks
from creators.importer import creator_import_csv
from creators.models import Creator, ImportJob
from tests.creators.csvfiles import creator_row, csv_bytes


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def manager(role_client):
    return role_client("manager")


def upload(client, content: bytes, name: str = "creators.csv"):
    return client.post(
        "/creators/import/", {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def test_upload_stores_the_file_queues_a_job_and_audits_it(manager, tmp_path):
    response = upload(manager, csv_bytes([creator_row("ana"), creator_row("beto")]))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/creators/import/{job.pk}/"
    assert (job.status, job.total_rows, job.file_name) == ("queued", 2, "creators.csv")
    assert job.created_by == manager.user
    assert (tmp_path / job.file.name).read_bytes().startswith(b"handle,name,")
    entry = AuditEntry.objects.get(action="creator.import")
    assert (entry.target_type, entry.target_id, entry.actor) == (
        "import",
        str(job.pk),
        manager.user,
    )
    assert not Creator.objects.exists()  # nothing imported until the task runs


def test_good_rows_land_and_the_report_lists_bad_lines_and_dropped_cells(manager):
    rows = [
        creator_row("ana"),
        creator_row("beto", email="not-an-email"),  # 3: lands without the email
        creator_row("carla", phone="12", email=""),  # 4: no usable contact: refused
        creator_row("dani", level="9"),  # 5: lands without the level
        creator_row("Eva!"),  # 6: not a handle: refused
    ]
    upload(manager, csv_bytes(rows))
    job = ImportJob.objects.get()
    with translation.override("es-mx"):  # the worker's language is not the reader's
        tasks.creator_import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.rejected) == ("done", 3, 0, 2)
    assert sorted(Creator.objects.values_list("handle", flat=True)) == ["ana", "beto", "dani"]
    assert [(e["line"], e["field"]) for e in job.errors] == [(4, "phone"), (4, None), (6, "handle")]
    assert [(w["line"], w["field"]) for w in job.warnings] == [(3, "email"), (5, "level")]
    assert job.encoding == "utf-8"
    html = manager.get(f"/creators/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<strong id="import-status">Done</strong>' in html
    assert 'value="100"' in html
    assert "<td>6</td><td><code>handle</code></td><td>Not a TikTok handle" in html
    warnings = html.split('id="import-warnings"')[1]
    assert "<td>3</td><td><code>email</code></td><td>Not a valid email address.</td>" in warnings
    assert "Read as UTF-8." in html
    assert "hx-trigger" not in html  # finished: the page stops polling


def test_a_second_import_updates(manager):
    Creator.objects.create(handle="ana", name="Old")
    upload(manager, csv_bytes([creator_row("ana", name="New")]))
    job = ImportJob.objects.get()
    tasks.creator_import_run(job.pk)
    job.refresh_from_db()
    assert (job.created, job.updated, job.errors) == (0, 1, [])
    assert Creator.objects.get().name == "New"
    assert "Every row was imported." in manager.get(job.get_absolute_url()).content.decode()


def test_missing_columns_fail_the_job_with_the_reason(manager):
    upload(manager, b"handle,name\nana,Ana\n")
    job = ImportJob.objects.get()
    with translation.override("es-mx"):
        tasks.creator_import_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.failure_code == "missing"
    assert not Creator.objects.exists()
    html = manager.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The header needs a “handle” column and an “email” or “phone” column" in html


def test_running_job_polls_and_shows_its_progress(manager):
    job = ImportJob.objects.create(
        file_name="big.csv",
        file="imports/big.csv",
        status="running",
        total_rows=40_000,
        rows_done=10_000,
        created=9_990,
        rejected=10,
    )
    html = manager.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert html.startswith('<section id="import-job"')
    assert f'hx-get="/creators/import/{job.pk}/" hx-trigger="every 1s"' in html
    assert '<progress id="import-progress" max="100" value="25">' in html
    assert "10,000 of 40,000 rows read" in html


def test_a_job_runs_once(manager):
    upload(manager, csv_bytes([creator_row("ana")]))
    job = ImportJob.objects.get()
    tasks.creator_import_run(job.pk)
    Creator.objects.all().delete()
    tasks.creator_import_run(job.pk)  # a redelivered task
    assert not Creator.objects.exists()


def test_importer_reports_progress_after_each_chunk(db):
    calls = []
    content = csv_bytes([creator_row(f"c{n}") for n in range(5)])
    result = creator_import_csv(
        file=io.BytesIO(content),
        chunk_rows=2,
        progress=lambda lines, result: calls.append((lines, result.created)),
    )
    assert result.created == 5
    assert [lines for lines, _created in calls] == [2, 4]


def test_bad_upload_shows_the_form_again(manager):
    response = manager.post("/creators/import/", {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ImportJob.objects.exists()
