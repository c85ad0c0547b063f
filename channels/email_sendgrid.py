"""Email through SendGrid's v3 Mail Send API, with the official SDK (`EMAIL_PROVIDER=sendgrid`).

Messages whose rendered content is identical go in one request as separate personalizations
(up to 1,000), each with its own `custom_args` (the delivery id, which the Event Webhook
echoes back) and its own List-Unsubscribe headers. SendGrid's answers are classified by
channels/http.py; it has no per-recipient error codes, so the status decides.
"""

from __future__ import annotations

import socket
import urllib.error
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any, ClassVar

from django.conf import settings
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

from channels.base import Outcome, Outgoing, SendResult
from channels.email import ThreadedEmailAdapter, unsubscribe_headers
from channels.http import ProviderAnswer, answer_classify

MAX_PERSONALIZATIONS = 1000


def _content_key(item: Outgoing) -> tuple[str, str, str]:
    content = item.content
    return (content.get("subject", ""), content.get("html", ""), content.get("text", ""))


def sendgrid_body(items: Sequence[Outgoing]) -> dict[str, Any]:
    """The v3 mail/send body for messages that share subject and content."""
    subject, html, text = _content_key(items[0])
    mail = Mail()
    sender_name, sender_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    mail.from_email = From(sender_email, sender_name or None)
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


class SendGridEmailAdapter(ThreadedEmailAdapter):
    provider: ClassVar[str] = "sendgrid"

    def chunks(self, outgoing: Sequence[Outgoing]) -> list[list[Outgoing]]:
        groups: dict[tuple[str, str, str], list[Outgoing]] = {}
        for item in outgoing:
            groups.setdefault(_content_key(item), []).append(item)
        return [
            group[start : start + MAX_PERSONALIZATIONS]
            for group in groups.values()
            for start in range(0, len(group), MAX_PERSONALIZATIONS)
        ]

    def send_chunk(self, items: list[Outgoing]) -> list[SendResult]:
        client = SendGridAPIClient(
            api_key=settings.SENDGRID_API_KEY, host=settings.SENDGRID_BASE_URL
        )
        try:
            response = client.client.mail.send.post(
                request_body=sendgrid_body(items), timeout=settings.CHANNEL_READ_TIMEOUT
            )
        except SendGridHTTPError as error:
            answer = ProviderAnswer.from_http(
                self.provider,
                error.status_code,
                retry_after_header=(error.headers or {}).get("Retry-After"),
                body=error.body,
            )
            results = [answer_classify(item.delivery_id, answer) for item in items]
            if len(items) > 1 and results[0].outcome is Outcome.REJECTED:
                # The API refuses a whole request for one bad personalization; nothing was
                # accepted, so each message can safely go on its own to find the culprit.
                return [result for item in items for result in self.send_chunk([item])]
            return results
        except urllib.error.URLError as error:
            reason = error.reason
            outcome = (
                Outcome.UNKNOWN
                if isinstance(reason, TimeoutError | socket.timeout)
                else Outcome.UNAVAILABLE
            )
            return [
                SendResult(
                    item.delivery_id,
                    outcome,
                    error_code="connection",
                    error_message=str(reason)[:500],
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
