from celery import shared_task

from agencies.models import Notification
from agencies.notifications import notification_email_send as notification_email_deliver


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email_send(notification_id: int) -> None:
    notification_email_deliver(notification=Notification.objects.get(pk=notification_id))
