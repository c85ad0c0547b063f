"""SMTP replies → outcomes, through Django's SMTP backend against the fake SMTP sink
(`EMAIL_PROVIDER=smtp`): 5xx is permanent, 4xx is retried, an unreachable server is retried."""

from __future__ import annotations

import pytest

from channels.base import Outcome
from tests.channels.conftest import outgoing_make

ADDRESS = "luz@example.com"


@pytest.fixture
def smtp_rig(provider_rig, settings):
    host, port = provider_rig.fakes.smtp_address
    settings.EMAIL_PROVIDER = "smtp"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return provider_rig


def _email():
    return outgoing_make(
        email=ADDRESS,
        content={"subject": "Reto de la semana", "text": "¡Sube tu video!"},
        unsubscribe_url="https://altavoz.example/u/abc",
        unsubscribe_post_url="https://altavoz.example/u/abc/one-click",
    )


ROWS = [
    # (id, reply to RCPT TO, outcome, error_code)
    ("250-accepted", None, Outcome.ACCEPTED, ""),
    ("550-no-such-user", "550 5.1.1 User unknown", Outcome.REJECTED, "smtp_550"),
    ("452-mailbox-full-for-now", "452 4.2.2 Mailbox full", Outcome.UNAVAILABLE, "smtp_452"),
]


@pytest.mark.parametrize(
    ("reply", "outcome", "error_code"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_smtp_reply_becomes_outcome(smtp_rig, reply, outcome, error_code):
    if reply:
        smtp_rig.fakes.set_behaviour("smtp", recipient_errors={ADDRESS: reply})
    [result] = smtp_rig.send("email", [_email()])
    assert (result.outcome, result.error_code) == (outcome, error_code), result
    if outcome is Outcome.ACCEPTED:
        [received] = smtp_rig.fakes.received("smtp", accepted=True)
        assert result.provider_message_id.startswith("<")
        assert received["recipients"] == [ADDRESS]


def test_unreachable_server_is_retried(smtp_rig, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    [result] = smtp_rig.send("email", [_email()])
    assert (result.outcome, result.error_code) == (Outcome.UNAVAILABLE, "smtp_connect")
