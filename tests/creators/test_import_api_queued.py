"""POST /api/creators/imports queues the import on a worker and answers 202 at once;
GET /api/creators/imports/{id} reports progress, counts and the per-line errors."""

from django.core.files.uploadedfile import SimpleUploadedFile

from creators.import_jobs import import_job_run
from creators.models import Creator, ImportJob
from tests.creators.csvfiles import creator_row, csv_bytes


def test_queued_import_answers_at_once_then_reports_by_line(
    api_client, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [
            creator_row("ana"),
            creator_row("beto", phone="12", email=""),
            creator_row("caro", level="9"),
        ]
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api_client.post(
            "/api/creators/imports",
            {"file": SimpleUploadedFile("creadores.csv", content, content_type="text/csv")},
        )
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["total_rows"], body["file_name"]) == ("queued", 3, "creadores.csv")
    assert len(queued) == 1  # the Celery task, sent once the upload is committed
    assert not Creator.objects.exists()

    import_job_run(job=ImportJob.objects.get(pk=body["id"]))  # what the task does

    report = api_client.get(f"/api/creators/imports/{body['id']}").json()
    assert (report["status"], report["created"], report["rejected"]) == ("done", 2, 1)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "phone"), (3, None)]
    assert [(w["line"], w["field"]) for w in report["warnings"]] == [(4, "level")]
    assert report["encoding"] == "utf-8"
    assert set(Creator.objects.values_list("handle", flat=True)) == {"ana", "caro"}


def test_queued_import_needs_a_token(client, db):
    response = client.post(
        "/api/creators/imports",
        {"file": SimpleUploadedFile("c.csv", csv_bytes([creator_row("ana")]))},
    )
    assert response.status_code == 401
    assert not ImportJob.objects.exists()
    assert client.get("/api/creators/imports/1").status_code == 401
