from celery import shared_task


@shared_task(ignore_result=True)
def inbound_webhook_process(webhook_id: int) -> None:
    """File a stored inbound message in its thread (`services.inbound_webhook_process`)."""
    from conversations import services

    try:
        services.inbound_webhook_process(webhook_id=webhook_id)
    except Exception as error:
        services.inbound_webhook_failed(webhook_id=webhook_id, error=repr(error))
        raise


@shared_task(ignore_result=True)
def inbound_webhooks_sweep() -> int:
    """File inbound messages left unfiled (a lost task, a worker killed mid-message)."""
    from datetime import timedelta

    from django.conf import settings

    from conversations import services

    seconds = settings.CONVERSATIONS_INBOUND_SWEEP_SECONDS
    return services.inbound_webhooks_sweep(older_than=timedelta(seconds=seconds))
