"""The SMTP sink keeps every message Django's SMTP backend would send."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest


def message(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Altavoz <creadores@altavoz.example>"
    msg["To"] = to
    msg["Subject"] = "Hola"
    msg["List-Unsubscribe"] = "<https://altavoz.example/u/abc>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content("Hola texto")
    msg.add_alternative("<p>Hola html</p>", subtype="html")
    return msg


def test_sink_keeps_the_message(fake_providers):
    host, port = fake_providers.smtp_address
    with smtplib.SMTP(host, port) as smtp:
        smtp.send_message(message("fan@x.example"))
    [record] = fake_providers.received("smtp")
    assert record["accepted"] and record["recipients"] == ["fan@x.example"]
    headers = record["request"]["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert record["request"]["html"].strip() == "<p>Hola html</p>"
    assert record["request"]["text"].strip() == "Hola texto"


def test_rejected_recipient_and_transient_failure(fake_providers):
    fake_providers.set_behaviour("smtp", recipient_errors=["gone@x.example"])
    host, port = fake_providers.smtp_address
    with smtplib.SMTP(host, port) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.send_message(message("gone@x.example"))
    fake_providers.set_behaviour("smtp", failure={"mode": "5xx", "count": 1})
    with smtplib.SMTP(host, port) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as caught:
            smtp.send_message(message("fan@x.example"))
        assert caught.value.smtp_code == 451
        smtp.send_message(message("fan@x.example"))
    assert len(fake_providers.received("smtp", accepted=True)) == 1
