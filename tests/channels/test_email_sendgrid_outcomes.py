"""SendGrid's answers → outcomes, through the official sendgrid SDK against the fake SendGrid.

SendGrid has no per-recipient error codes: the status decides (channels/http.py). A 400 for
a batch is split and each message sent alone, so one bad address fails only its delivery.
"""

from __future__ import annotations

import pytest

from channels.base import Outcome
from tests.channels.conftest import closed_port_url, outgoing_make

ADDRESS = "luz@example.com"


def _email(delivery_id: int = 1, email: str = ADDRESS):
    return outgoing_make(
        delivery_id,
        email=email,
        content={"subject": "Reto de la semana", "text": "¡Sube tu video!", "html": ""},
    )


ROWS = [
    # (id, fake behaviour, outcome, error_code, retry_after)
    ("202-accepted", {}, Outcome.ACCEPTED, "", None),
    (
        "429-retry-after-7",
        {"failure": {"mode": "429", "retry_after": 7, "count": 1}},
        Outcome.UNAVAILABLE,
        "http_429",
        7.0,
    ),
    (
        "503-retry-after-2",
        {"failure": {"mode": "5xx", "status": 503, "retry_after": 2, "count": 1}},
        Outcome.UNAVAILABLE,
        "http_503",
        2.0,
    ),
    (
        "500",
        {"failure": {"mode": "5xx", "status": 500, "count": 1}},
        Outcome.UNAVAILABLE,
        "http_500",
        None,
    ),
    ("400-invalid-address", {"recipient_errors": [ADDRESS]}, Outcome.REJECTED, "http_400", None),
    (
        "timeout-after-accepting",
        {"failure": {"mode": "timeout", "hold_s": 3, "accept": True, "count": 1}},
        Outcome.UNKNOWN,
        "TimeoutError",
        None,
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "outcome", "error_code", "retry_after"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_sendgrid_answer_becomes_outcome(provider_rig, behaviour, outcome, error_code, retry_after):
    if behaviour:
        provider_rig.fakes.set_behaviour("sendgrid", **behaviour)
    [result] = provider_rig.send("email", [_email()])
    assert (result.outcome, result.error_code, result.retry_after) == (
        outcome,
        error_code,
        retry_after,
    ), result
    assert len(provider_rig.fakes.received("sendgrid")) == 1
    if outcome is Outcome.ACCEPTED:
        [received] = provider_rig.fakes.received("sendgrid", accepted=True)
        assert result.provider_message_id == received["provider_id"] != ""


def test_wrong_api_key_is_rejected_not_retried(provider_rig, settings):
    settings.SENDGRID_API_KEY = "SG.not-the-key"
    [result] = provider_rig.send("email", [_email()])
    assert (result.outcome, result.error_code) == (Outcome.REJECTED, "http_401")


def test_refused_connection_is_retried(provider_rig, settings):
    settings.SENDGRID_BASE_URL = closed_port_url()
    [result] = provider_rig.send("email", [_email()])
    assert (result.outcome, result.error_code) == (Outcome.UNAVAILABLE, "connection")


def test_one_bad_address_fails_only_its_own_delivery(provider_rig):
    provider_rig.fakes.set_behaviour("sendgrid", recipient_errors=["nadie@example.com"])
    batch = [_email(1), _email(2, "nadie@example.com"), _email(3, "sol@example.com")]
    results = provider_rig.send("email", batch)
    assert [(r.delivery_id, r.outcome) for r in results] == [
        (1, Outcome.ACCEPTED),
        (2, Outcome.REJECTED),
        (3, Outcome.ACCEPTED),
    ]
    # The refused batch of three, then each message alone.
    assert len(provider_rig.fakes.received("sendgrid")) == 4
