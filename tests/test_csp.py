"""The Content-Security-Policy forbids inline and foreign scripts, and no page needs them."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_pages_send_a_policy_that_allows_only_our_own_scripts(role_client, client):
    for response in (client.get("/accounts/login/"), role_client("manager").get("/creators/")):
        assert response.status_code == 200
        policy = _policy(response)
        assert policy["script-src"] == "script-src 'self'"
        assert policy["object-src"] == "object-src 'none'"
        assert policy["frame-ancestors"] == "frame-ancestors 'none'"


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for attributes in SCRIPT_TAG.findall(text):
            if "src=" not in attributes and 'type="application/json"' not in attributes:
                offenders.append(f"{path.relative_to(TEMPLATES)}: inline <script{attributes}>")
        offenders += [f"{path.relative_to(TEMPLATES)}: {m}" for m in INLINE_HANDLER.findall(text)]
    assert offenders == []


@pytest.mark.django_db
def test_api_docs_load_swagger_from_our_static_files(api_client, role_client):
    html = role_client("manager").get("/api/docs").content.decode()
    assert "swagger-ui-bundle" in html
    assert "cdn." not in html and "https://" not in html
