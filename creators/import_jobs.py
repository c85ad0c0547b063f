"""Running a queued import job (the Celery task's work). Queuing one is
`creators.services.import_job_create`; keeping the two apart keeps services → tasks →
import_jobs free of a circle."""

from __future__ import annotations

from django.utils import timezone

from creators.importer import CreatorImportResult, ImportHeaderInvalid, creator_import_csv
from creators.models import ImportJob


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run the importer over the job's file, saving progress after each chunk. Not atomic on
    purpose: each chunk commits on its own, as the importer does everywhere, so the page can
    show progress and a crash keeps the rows already written."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return job  # already run (a redelivered task)
    job.refresh_from_db()

    def progress(lines_read: int, result: CreatorImportResult) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=lines_read,
            created=result.created,
            updated=result.updated,
            rejected=result.rejected,
        )

    try:
        with job.file.open("rb") as file:
            result = creator_import_csv(file=file, progress=progress)
    except ImportHeaderInvalid as error:
        job.status, job.failure = ImportJob.Status.FAILED, str(error)
        job.failure_code, job.failure_params = error.code, error.params
        job.finished_at = timezone.now()
        job.save(
            update_fields=["status", "failure", "failure_code", "failure_params", "finished_at"]
        )
        return job
    except BaseException as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, failure=repr(error), finished_at=timezone.now()
        )
        raise
    job.status = ImportJob.Status.DONE
    job.rows_done = job.total_rows
    job.created, job.updated, job.rejected = result.created, result.updated, result.rejected
    job.errors, job.errors_total = result.errors, result.errors_total
    job.warnings, job.warnings_total = result.warnings, result.warnings_total
    job.encoding = result.encoding
    job.finished_at = timezone.now()
    job.save()
    return job
