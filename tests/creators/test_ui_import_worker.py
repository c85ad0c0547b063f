"""An upload through the page is imported by a real Celery worker while the page polls."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from creators.models import Creator, ImportJob
from tests.creators.csvfiles import creator_row, csv_bytes
from tests.support.worker import WorkerProcess, broker_flush, worker_env

pytestmark = pytest.mark.worker


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    broker_flush()
    process = WorkerProcess(
        worker_env(MEDIA_ROOT=settings.MEDIA_ROOT), tmp_path / "worker.log", concurrency=1
    ).start()
    yield process
    process.stop()
    broker_flush()


def test_upload_is_imported_by_the_worker_and_the_page_shows_the_report(worker, role_client):
    client = role_client("manager")
    rows = [creator_row(f"creator_{n}") for n in range(300)]
    rows.insert(10, creator_row("bad", email="nope", phone=""))
    response = client.post(
        "/creators/import/", {"file": SimpleUploadedFile("c.csv", csv_bytes(rows))}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        html = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
        if "hx-trigger" not in html:
            break
        time.sleep(0.5)
    else:
        pytest.fail("import not finished after 60 s; worker log:\n" + worker.log_path.read_text())
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == ("done", 300, 1)
    assert Creator.objects.count() == 300
    assert "<td>12</td><td><code>email</code></td>" in html
