"""Email through SendGrid's v3 Mail Send API (official SDK) or SMTP (Django's email backend).

`EMAIL_PROVIDER=sendgrid|smtp`. SendGrid: messages whose rendered content is identical go in
one request as separate personalizations (up to 1,000), each with its own `custom_args`
(the delivery id, which the Event Webhook echoes back) and its own List-Unsubscribe headers.
Every marketing email carries `List-Unsubscribe` and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` (RFC 8058).
"""

from __future__ import annotations

import asyncio
import smtplib
import socket
import urllib.error
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from email.utils import make_msgid
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from python_http_client.exceptions import HTTPError as SendGridHTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Category,
    Content,
    CustomArg,
    From,
    Header,
    Mail,
    Personalization,
    Subject,
    To,
)

from channels.base import Outcome, Outgoing, SendResult, error_text, retry_after_seconds

MAX_PERSONALIZATIONS = 1000


def unsubscribe_headers(item: Outgoing) -> dict[str, str]:
    if not item.unsubscribe_url:
        return {}
    return {
        "List-Unsubscribe": f"<{item.unsubscribe_post_url or item.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _content_key(item: Outgoing) -> tuple[str, str, str]:
    content = item.content
    return (content.get("subject", ""), content.get("html", ""), content.get("text", ""))


def sendgrid_body(items: Sequence[Outgoing]) -> dict[str, Any]:
    """The v3 mail/send body for messages that share subject and content."""
    subject, html, text = _content_key(items[0])
    mail = Mail()
    mail.from_email = From(*_split_address(settings.DEFAULT_FROM_EMAIL))
    mail.subject = Subject(subject)
    if text:
        mail.add_content(Content("text/plain", text))
    if html:
        mail.add_content(Content("text/html", html))
    for category in items[0].categories[:10]:
        mail.add_category(Category(category))
    for item in items:
        personalization = Personalization()
        personalization.add_to(To(item.email, item.name or None))
        personalization.add_custom_arg(CustomArg("delivery_id", str(item.delivery_id)))
        personalization.add_custom_arg(CustomArg("campaign_id", str(item.campaign_id)))
        for name, value in unsubscribe_headers(item).items():
            personalization.add_header(Header(name, value))
        mail.add_personalization(personalization)
    return mail.get()


def _split_address(address: str) -> tuple[str, str | None]:
    from email.utils import parseaddr

    name, email = parseaddr(address)
    return email, (name or None)


class EmailAdapter:
    code: ClassVar[str] = "email"

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=settings.EMAIL_THREADS, thread_name_prefix="email"
        )

    async def send_batch(self, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        loop = asyncio.get_running_loop()
        if settings.EMAIL_PROVIDER == "smtp":
            chunks = [
                list(outgoing[i :: settings.EMAIL_THREADS]) for i in range(settings.EMAIL_THREADS)
            ]
            send = _smtp_send
        else:
            chunks = _sendgrid_groups(outgoing)
            send = _sendgrid_send
        done = await asyncio.gather(
            *(loop.run_in_executor(self._pool, send, chunk) for chunk in chunks if chunk)
        )
        by_id = {result.delivery_id: result for results in done for result in results}
        return [by_id[item.delivery_id] for item in outgoing]

    async def close(self) -> None:
        self._pool.shutdown(wait=False)


def _sendgrid_groups(outgoing: Sequence[Outgoing]) -> list[list[Outgoing]]:
    groups: dict[tuple[str, str, str], list[Outgoing]] = {}
    for item in outgoing:
        groups.setdefault(_content_key(item), []).append(item)
    return [
        group[start : start + MAX_PERSONALIZATIONS]
        for group in groups.values()
        for start in range(0, len(group), MAX_PERSONALIZATIONS)
    ]


def _sendgrid_send(items: list[Outgoing]) -> list[SendResult]:
    client = SendGridAPIClient(api_key=settings.SENDGRID_API_KEY, host=settings.SENDGRID_BASE_URL)
    try:
        response = client.client.mail.send.post(
            request_body=sendgrid_body(items), timeout=settings.CHANNEL_READ_TIMEOUT
        )
    except SendGridHTTPError as error:
        body = error_text(error.body)
        if error.status_code == 429 or error.status_code >= 500:
            retry_after = retry_after_seconds((error.headers or {}).get("Retry-After"))
            return [
                SendResult(
                    item.delivery_id,
                    Outcome.UNAVAILABLE,
                    error_code=f"http_{error.status_code}",
                    error_message=body,
                    retry_after=retry_after,
                )
                for item in items
            ]
        if len(items) > 1:
            # The API refuses a whole request for one bad personalization; nothing was
            # accepted, so each message can safely go on its own to find the culprit.
            return [result for item in items for result in _sendgrid_send([item])]
        return [
            SendResult(
                items[0].delivery_id,
                Outcome.REJECTED,
                error_code=f"http_{error.status_code}",
                error_message=body,
            )
        ]
    except urllib.error.URLError as error:
        reason = error.reason
        outcome = (
            Outcome.UNKNOWN
            if isinstance(reason, TimeoutError | socket.timeout)
            else Outcome.UNAVAILABLE
        )
        return [
            SendResult(
                item.delivery_id, outcome, error_code="connection", error_message=str(reason)[:500]
            )
            for item in items
        ]
    except (TimeoutError, ConnectionError, OSError) as error:
        # Raised while reading the answer: the request went out, the provider may have it.
        return [
            SendResult(
                item.delivery_id,
                Outcome.UNKNOWN,
                error_code=type(error).__name__,
                error_message=str(error)[:500],
            )
            for item in items
        ]
    message_id = response.headers.get("X-Message-Id", "") if response.headers else ""
    return [SendResult.accepted(item, message_id) for item in items]


def _smtp_send(items: list[Outgoing]) -> list[SendResult]:
    results: list[SendResult] = []
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
        for item in items:
            results.append(_smtp_send_one(connection, item))
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            pass  # the connection is gone either way; results already say what happened
    return results


def _smtp_send_one(connection: Any, item: Outgoing) -> SendResult:
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
        outcome = Outcome.REJECTED if code >= 500 else Outcome.UNAVAILABLE
        return SendResult(
            item.delivery_id, outcome, error_code=f"smtp_{code}", error_message=error_text(reply)
        )
    except smtplib.SMTPResponseException as error:
        outcome = Outcome.REJECTED if error.smtp_code >= 500 else Outcome.UNAVAILABLE
        return SendResult(
            item.delivery_id,
            outcome,
            error_code=f"smtp_{error.smtp_code}",
            error_message=error_text(error.smtp_error),
        )
    except (smtplib.SMTPServerDisconnected, TimeoutError, OSError) as error:
        return SendResult(
            item.delivery_id,
            Outcome.UNKNOWN,
            error_code=type(error).__name__,
            error_message=str(error)[:500],
        )
    return SendResult.accepted(item, message_id)
