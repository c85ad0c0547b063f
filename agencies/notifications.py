"""Sending a notification's email (the Celery task's work); creating notifications and
queuing their emails is `agencies.services.notifications_create`."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from agencies.models import Notification


def notification_email_send(*, notification: Notification) -> None:
    body = f"{notification.text_shown}\n\n{settings.PUBLIC_BASE_URL}{notification.url}\n"
    EmailMessage(
        subject=f"Altavoz: {notification.text_shown}", body=body, to=[notification.user.email]
    ).send()
