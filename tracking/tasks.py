from celery import shared_task

from tracking import writebehind


@shared_task(ignore_result=True)
def events_drain() -> int:
    """Record the pixel and click hits queued in Redis (TRACKING_WRITE_BEHIND)."""
    return writebehind.hits_drain()
