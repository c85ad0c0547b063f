from celery import shared_task

from creators.import_jobs import import_job_run
from creators.models import ImportJob


@shared_task
def creator_import_run(import_job_id: int) -> None:
    """Import one uploaded CSV (creators.import_jobs.import_job_run)."""
    import_job_run(job=ImportJob.objects.get(pk=import_job_id))
