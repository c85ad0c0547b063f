from celery import shared_task

from creators.models import ImportJob


@shared_task
def creator_import_run(import_job_id: int) -> None:
    """Import one uploaded CSV (creators.services.import_job_run)."""
    from creators import services

    services.import_job_run(job=ImportJob.objects.get(pk=import_job_id))
