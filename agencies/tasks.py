from celery import shared_task

from agencies import services
from agencies.models import Notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email_send(notification_id: int) -> None:
    services.notification_email_send(notification=Notification.objects.get(pk=notification_id))
