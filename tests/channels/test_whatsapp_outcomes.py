"""Twilio's answers → outcomes, through the real twilio SDK against the fake Twilio.

Twilio's permanent error codes (bad number, unsubscribed, outside the 24-hour window…) are
never retried; any other error follows the status: 429 and 5xx retry (after Retry-After),
other 4xx are final.
"""

from __future__ import annotations

from typing import Any

import pytest

from channels.base import Outcome
from tests.channels.conftest import closed_port_url, outgoing_make

PHONE = "+5215512345678"
TO = f"whatsapp:{PHONE}"


def _message(**content: Any):
    return outgoing_make(phone=PHONE, content=content or {"body": "¡Hola, Luz!"})


ROWS = [
    # (id, fake behaviour, outcome, error_code, retry_after)
    ("201-accepted", {}, Outcome.ACCEPTED, "", None),
    (
        "429-retry-after-7",
        {"failure": {"mode": "429", "retry_after": 7, "count": 1}},
        Outcome.UNAVAILABLE,
        "20429",
        7.0,
    ),
    (
        "503-retry-after-2",
        {"failure": {"mode": "5xx", "status": 503, "retry_after": 2, "count": 1}},
        Outcome.UNAVAILABLE,
        "20503",
        2.0,
    ),
    (
        "500",
        {"failure": {"mode": "5xx", "status": 500, "count": 1}},
        Outcome.UNAVAILABLE,
        "20500",
        None,
    ),
    ("400-21211-bad-number", {"recipient_errors": {TO: 21211}}, Outcome.REJECTED, "21211", None),
    ("400-21610-unsubscribed", {"recipient_errors": {TO: 21610}}, Outcome.REJECTED, "21610", None),
    ("400-63016-window", {"recipient_errors": {TO: 63016}}, Outcome.REJECTED, "63016", None),
    ("400-63003-no-whatsapp", {"recipient_errors": {TO: 63003}}, Outcome.REJECTED, "63003", None),
    (
        "timeout-after-accepting",
        {"failure": {"mode": "timeout", "hold_s": 3, "accept": True, "count": 1}},
        Outcome.UNKNOWN,
        "SocketTimeoutError",
        None,
    ),
    (
        "disconnect",
        {"failure": {"mode": "disconnect", "count": 1}},
        Outcome.UNKNOWN,
        "ServerDisconnectedError",
        None,
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "outcome", "error_code", "retry_after"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_twilio_answer_becomes_outcome(provider_rig, behaviour, outcome, error_code, retry_after):
    if behaviour:
        provider_rig.fakes.set_behaviour("twilio", **behaviour)
    [result] = provider_rig.send("whatsapp", [_message()])
    assert (result.delivery_id, result.outcome, result.error_code, result.retry_after) == (
        1,
        outcome,
        error_code,
        retry_after,
    ), result
    assert len(provider_rig.fakes.received("twilio")) == 1
    if outcome is Outcome.ACCEPTED:
        [received] = provider_rig.fakes.received("twilio", accepted=True)
        assert result.provider_message_id == received["provider_id"]
        assert result.provider_message_id.startswith("SM")


def test_error_code_twilio_does_not_call_permanent_follows_the_status(provider_rig):
    # No Body and no ContentSid: Twilio's 21602, a 400 not in the permanent list.
    [result] = provider_rig.send("whatsapp", [_message(body="")])
    assert (result.outcome, result.error_code) == (Outcome.REJECTED, "21602")


def test_wrong_credentials_are_rejected_not_retried(provider_rig, settings):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    [result] = provider_rig.send("whatsapp", [_message()])
    assert (result.outcome, result.error_code) == (Outcome.REJECTED, "20003")


def test_refused_connection_is_retried(provider_rig, settings):
    settings.TWILIO_BASE_URL = closed_port_url()
    [result] = provider_rig.send("whatsapp", [_message()])
    assert (result.outcome, result.error_code) == (Outcome.UNAVAILABLE, "ClientConnectorError")
    assert provider_rig.fakes.received("twilio") == []
