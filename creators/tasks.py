from typing import Any

from celery import shared_task
from django.contrib.auth.models import User

from creators.import_jobs import import_job_run
from creators.models import ImportJob
from creators.selectors import creator_selection_load


@shared_task
def creator_import_run(import_job_id: int) -> None:
    """Import one uploaded CSV (creators.import_jobs.import_job_run)."""
    import_job_run(job=ImportJob.objects.get(pk=import_job_id))


@shared_task
def creators_tag_run(
    selection: dict[str, Any], tag: str, actor_id: int, audit: dict[str, Any]
) -> None:
    """Tag a large selection (creators.services.creators_tag), away from the request."""
    from creators import services

    services.creators_tag(
        creators=creator_selection_load(**selection),
        tag=tag,
        actor=User.objects.get(pk=actor_id),
        selection=audit,
    )
