"""Email through SMTP with Django's email backend (`EMAIL_PROVIDER=smtp`).

One connection per chunk, a chunk per pool thread. SMTP answers with reply codes, not HTTP
statuses: 5xx is permanent (`REJECTED`), 4xx is "try again later" (`UNAVAILABLE`), and a
connection lost after the message was handed over is `UNKNOWN`.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from email.utils import make_msgid
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from channels.base import Outcome, Outgoing, Reconciliation, SendResult, error_text
from channels.email import ThreadedEmailAdapter, unsubscribe_headers


def reply_classify(item: Outgoing, code: int, reply: object) -> SendResult:
    outcome = Outcome.REJECTED if code >= 500 else Outcome.UNAVAILABLE
    return SendResult(
        item.delivery_id, outcome, error_code=f"smtp_{code}", error_message=error_text(reply)
    )


class SmtpEmailAdapter(ThreadedEmailAdapter):
    provider: ClassVar[str] = "smtp"
    reconciled_by: ClassVar[Reconciliation] = Reconciliation.NONE
    unverifiable_reason: ClassVar[str] = "delivery.unverifiable_smtp"

    def chunks(self, outgoing: Sequence[Outgoing]) -> list[list[Outgoing]]:
        threads = settings.EMAIL_THREADS
        return [list(outgoing[i::threads]) for i in range(threads)]

    def send_chunk(self, items: list[Outgoing]) -> list[SendResult]:
        try:
            connection = get_connection(timeout=settings.CHANNEL_READ_TIMEOUT)
            connection.open()
        except (smtplib.SMTPException, OSError) as error:
            return [
                SendResult(
                    item.delivery_id,
                    Outcome.UNAVAILABLE,
                    error_code="smtp_connect",
                    error_message=str(error)[:500],
                )
                for item in items
            ]
        try:
            return [smtp_send_one(connection, item) for item in items]
        finally:
            try:
                connection.close()
            except (smtplib.SMTPException, OSError):
                pass  # the connection is gone either way; results already say what happened


def smtp_send_one(connection: Any, item: Outgoing) -> SendResult:
    content = item.content
    message_id = make_msgid(domain="altavoz")
    message = EmailMultiAlternatives(
        subject=content.get("subject", ""),
        body=content.get("text", ""),
        to=[item.email],
        connection=connection,
        headers={
            "Message-ID": message_id,
            "X-Altavoz-Delivery": str(item.delivery_id),
            **unsubscribe_headers(item),
        },
    )
    if content.get("html"):
        message.attach_alternative(content["html"], "text/html")
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        return reply_classify(item, code, reply)
    except smtplib.SMTPResponseException as error:
        return reply_classify(item, error.smtp_code, error.smtp_error)
    except (smtplib.SMTPServerDisconnected, TimeoutError, OSError) as error:
        return SendResult(
            item.delivery_id,
            Outcome.UNKNOWN,
            error_code=type(error).__name__,
            error_message=str(error)[:500],
        )
    return SendResult.accepted(item, message_id)
