from typing import Any

from celery import shared_task
from django.contrib.auth.models import User

from creators.selectors import creator_selection_load
from segments.models import Segment


@shared_task
def segment_members_add_run(
    segment_id: int, selection: dict[str, Any], actor_id: int, audit: dict[str, Any]
) -> None:
    """Add a large selection to a static list (segments.services.segment_members_add)."""
    from segments import services

    services.segment_members_add(
        segment=Segment.objects.get(pk=segment_id),
        creators=creator_selection_load(**selection),
        actor=User.objects.get(pk=actor_id),
        selection=audit,
    )
