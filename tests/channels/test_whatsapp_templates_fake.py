"""The fake Content API answers as the vendored contract (contracts/twilio_content_v1.json) says."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

from fakes.contracts import contracts_load
from fakes.twilio_content import SEED


def _get(fakes, query: str, token: str | None = None) -> tuple[int, dict]:
    pair = f"{fakes.twilio_account_sid}:{token or fakes.twilio_auth_token}".encode()
    request = urllib.request.Request(
        f"{fakes.urls['twilio']}/v1/ContentAndApprovals?{query}",
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_content_and_approvals_pages_are_valid_against_the_contract(fake_providers):
    contracts = contracts_load()
    status, first = _get(fake_providers, "PageSize=4")
    assert status == 200
    assert contracts.twilio_content_list.violations(first) == []
    assert [c["sid"] for c in first["contents"]] == [t["sid"] for t in SEED[:4]]
    assert first["meta"]["key"] == "contents" and first["meta"]["previous_page_url"] is None
    next_url = first["meta"]["next_page_url"]
    assert next_url.startswith(fake_providers.urls["twilio"] + "/v1/ContentAndApprovals?")
    status, second = _get(fake_providers, next_url.split("?", 1)[1])
    assert status == 200 and contracts.twilio_content_list.violations(second) == []
    assert [c["sid"] for c in second["contents"]] == [t["sid"] for t in SEED[4:]]
    assert second["meta"]["next_page_url"] is None
    statuses = {c["approval_requests"]["status"] for c in first["contents"] + second["contents"]}
    assert {"approved", "rejected"} <= statuses
    assert {c["language"] for c in first["contents"] + second["contents"]} == {"es_MX", "en"}


def test_control_api_changes_a_templates_status(fake_providers):
    sid = SEED[0]["sid"]
    changed = fake_providers.content_template_set(
        sid, status="rejected", rejection_reason="INVALID_FORMAT"
    )
    assert changed["approval_requests"]["status"] == "rejected"
    _, page = _get(fake_providers, "PageSize=50")
    [listed] = [c for c in page["contents"] if c["sid"] == sid]
    assert listed["approval_requests"] == changed["approval_requests"]
    fake_providers.reset()
    _, page = _get(fake_providers, "PageSize=50")
    assert [c for c in page["contents"] if c["sid"] == sid][0]["approval_requests"][
        "status"
    ] == "approved"


def test_refuses_what_the_contract_does_not_allow(fake_providers):
    assert _get(fake_providers, "PageSize=5000")[1]["code"] == 20001
    assert _get(fake_providers, "Colour=blue")[0] == 400
    status, body = _get(fake_providers, "", token="wrong")
    assert (status, body["code"]) == (401, 20003)
