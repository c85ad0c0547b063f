"""Every portal response carries a strict CSP, and no portal template has inline script."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.support.factories import creator_make, inbox_message_make, lesson_make

pytestmark = pytest.mark.django_db


def test_portal_responses_have_a_strict_csp(portal_client):
    creator = creator_make("fer")
    message = inbox_message_make(creator)
    lesson_make("buena-luz")
    client = portal_client(creator)
    for url in (
        "/me/",
        f"/me/inbox/{message.pk}/",
        "/me/learn/",
        "/learn/buena-luz/",
        "/me/preferences/",
        "/me/inbox/999999/",
    ):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp, url
        assert "unsafe-inline" not in csp
    for url in ("/p/forged/", "/u/forged/", "/me/"):
        assert "Content-Security-Policy" in Client().get(url)


def test_portal_templates_have_no_inline_script_or_style():
    for template in (Path(settings.BASE_DIR) / "templates" / "portal").glob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and "onclick" not in text and "onchange" not in text
        assert "style=" not in text and "<style" not in text, template.name


def test_ops_pages_get_the_ops_policy_not_the_portals(admin_client):
    csp = admin_client.get("/education/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp  # tests/test_csp.py checks the ops policy itself
    assert "default-src 'none'" not in csp
