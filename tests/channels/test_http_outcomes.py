"""The one policy every HTTP adapter applies to a provider's answer (channels/http.py), as a
table: what the fakes cannot say (a permanent code on a 5xx, a 5xx without Retry-After after
a 429 with it) is checked here on the classifier itself."""

from __future__ import annotations

import pytest

from channels.base import Outcome
from channels.http import ProviderAnswer, answer_classify
from channels.whatsapp import PERMANENT_ERROR_CODES

ROWS = [
    # (id, status, provider code, Retry-After, outcome, error_code, retry_after)
    ("201-accepted", 201, "", None, Outcome.ACCEPTED, "", None),
    ("429-retry-after-7", 429, "20429", "7", Outcome.UNAVAILABLE, "20429", 7.0),
    ("429-bad-retry-after", 429, "", "Wed, 21 Oct", Outcome.UNAVAILABLE, "http_429", None),
    ("500", 500, "", None, Outcome.UNAVAILABLE, "http_500", None),
    ("503-retry-after-2", 503, "20503", "2", Outcome.UNAVAILABLE, "20503", 2.0),
    ("400-21211-permanent", 400, "21211", None, Outcome.REJECTED, "21211", None),
    ("400-other-code-by-status", 400, "21602", None, Outcome.REJECTED, "21602", None),
    ("401-no-code", 401, "", None, Outcome.REJECTED, "http_401", None),
    ("503-permanent-code-wins", 503, "63016", "2", Outcome.REJECTED, "63016", None),
    ("429-permanent-code-wins", 429, "21610", "7", Outcome.REJECTED, "21610", None),
]


@pytest.mark.parametrize(
    ("status", "code", "retry_after_header", "outcome", "error_code", "retry_after"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_answer_becomes_outcome(status, code, retry_after_header, outcome, error_code, retry_after):
    answer = ProviderAnswer.from_http(
        "twilio", status, code=code, retry_after_header=retry_after_header, body=b'{"x": 1}'
    )
    result = answer_classify(
        42,
        answer,
        provider_message_id="SM1" if status < 300 else "",
        permanent_codes=PERMANENT_ERROR_CODES,
    )
    assert (result.delivery_id, result.outcome, result.error_code, result.retry_after) == (
        42,
        outcome,
        error_code,
        retry_after,
    )
    if outcome is Outcome.ACCEPTED:
        assert result.provider_message_id == "SM1"
    else:
        assert result.error_message == '{"x": 1}'
