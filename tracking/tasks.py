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


@shared_task(ignore_result=True)
def webhook_batch_apply(batch_id: int) -> None:
    """Apply a stored webhook batch (`tracking.services.webhook_batch_apply`)."""
    from tracking import services

    try:
        services.webhook_batch_apply(batch_id=batch_id)
    except Exception as error:
        services.webhook_batch_failed(batch_id=batch_id, error=repr(error))
        raise


@shared_task(ignore_result=True)
def webhook_batches_sweep() -> int:
    """Apply webhook batches left unapplied (a lost task, a worker killed mid-batch)."""
    from datetime import timedelta

    from django.conf import settings

    from tracking import services

    minutes = settings.TRACKING_WEBHOOK_SWEEP_MINUTES
    return services.webhook_batches_sweep(older_than=timedelta(minutes=minutes))
