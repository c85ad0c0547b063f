from celery import shared_task

from tracking import writebehind


@shared_task(ignore_result=True)
def events_drain() -> int:
    """Record the pixel and click hits queued in Redis (TRACKING_WRITE_BEHIND)."""
    return writebehind.hits_drain()


@shared_task(ignore_result=True)
def delivery_counts_warm() -> int:
    """Refresh sending campaigns' delivery counts and snapshot newly finished ones."""
    from tracking.counts import delivery_counts_warm as warm

    return warm()
