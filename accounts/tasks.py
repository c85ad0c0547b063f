from celery import shared_task
from django.core.mail import EmailMessage


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_email_send(*, to: str, subject: str, body: str) -> None:
    """Send an invitation written in the inviter's language (rendered by the service)."""
    EmailMessage(subject=subject, body=body, to=[to]).send()
