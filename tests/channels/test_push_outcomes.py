"""FCM's answers → outcomes, through google-auth and aiohttp against the fake FCM.

A token FCM calls gone (UNREGISTERED, SENDER_ID_MISMATCH, INVALID_ARGUMENT) is rejected and
reported dead, so dispatch deletes the device; 429 and 5xx retry after Retry-After.
"""

from __future__ import annotations

import pytest

from channels.base import Outcome
from tests.channels.conftest import outgoing_make

TOKEN = "fcm-token-luz-0001"


def _push(*tokens: str):
    return outgoing_make(
        content={"title": "Reto de la semana", "body": "¡Sube tu video!"},
        device_tokens=tokens or (TOKEN,),
    )


ROWS = [
    # (id, fake behaviour, outcome, error_code, retry_after, dead tokens)
    ("200-accepted", {}, Outcome.ACCEPTED, "", None, []),
    (
        "429-retry-after-7",
        {"failure": {"mode": "429", "retry_after": 7, "count": 1}},
        Outcome.UNAVAILABLE,
        "QUOTA_EXCEEDED",
        7.0,
        [],
    ),
    (
        "503-retry-after-2",
        {"failure": {"mode": "5xx", "status": 503, "retry_after": 2, "count": 1}},
        Outcome.UNAVAILABLE,
        "UNAVAILABLE",
        2.0,
        [],
    ),
    (
        "500",
        {"failure": {"mode": "5xx", "status": 500, "count": 1}},
        Outcome.UNAVAILABLE,
        "INTERNAL",
        None,
        [],
    ),
    (
        "404-unregistered",
        {"recipient_errors": {TOKEN: "UNREGISTERED"}},
        Outcome.REJECTED,
        "UNREGISTERED",
        None,
        [TOKEN],
    ),
    (
        "403-sender-id-mismatch",
        {"recipient_errors": {TOKEN: "SENDER_ID_MISMATCH"}},
        Outcome.REJECTED,
        "SENDER_ID_MISMATCH",
        None,
        [TOKEN],
    ),
    (
        "timeout-after-accepting",
        {"failure": {"mode": "timeout", "hold_s": 3, "accept": True, "count": 1}},
        Outcome.UNKNOWN,
        "SocketTimeoutError",
        None,
        [],
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "outcome", "error_code", "retry_after", "dead"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_fcm_answer_becomes_outcome(
    provider_rig, behaviour, outcome, error_code, retry_after, dead
):
    if behaviour:
        provider_rig.fakes.set_behaviour("fcm", **behaviour)
    [result] = provider_rig.send("push", [_push()])
    assert (result.outcome, result.error_code, result.retry_after) == (
        outcome,
        error_code,
        retry_after,
    ), result
    assert result.dead_device_tokens == dead
    assert len(provider_rig.fakes.received("fcm")) == 1
    if outcome is Outcome.ACCEPTED:
        [received] = provider_rig.fakes.received("fcm", accepted=True)
        assert result.provider_message_id == received["provider_id"]


def test_one_device_taking_it_accepts_the_delivery_and_reports_the_dead_one(provider_rig):
    provider_rig.fakes.set_behaviour("fcm", recipient_errors={"fcm-token-old": "UNREGISTERED"})
    [result] = provider_rig.send("push", [_push("fcm-token-old", TOKEN)])
    assert result.outcome is Outcome.ACCEPTED
    assert result.dead_device_tokens == ["fcm-token-old"]


def test_no_device_is_rejected_without_a_request(provider_rig):
    [result] = provider_rig.send("push", [outgoing_make(content={"title": "t", "body": "b"})])
    assert (result.outcome, result.error_code) == (Outcome.REJECTED, "no_device")
    assert provider_rig.fakes.received("fcm") == []
