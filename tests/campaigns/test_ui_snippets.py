"""The snippet library's ops pages: list, create, edit; bad input is a 400 with the cause,
never a 500; the wizard refuses a message calling an unknown snippet with its line."""

from __future__ import annotations

import re

import pytest

from campaigns.models import Message, Snippet
from campaigns.snippets import snippet_save
from tests.support.factories import campaign_make

pytestmark = pytest.mark.django_db

GOOD = {"slug": "pie-legal", "locale": "es-MX", "description": "Pie legal", "body": "© Altavoz"}


def test_create_list_and_edit_a_snippet(role_client):
    client = role_client("editor")

    created = client.post("/campaigns/snippets/new/", GOOD)
    snippet = Snippet.objects.get()
    listing = client.get("/campaigns/snippets/").content.decode()
    edited = client.post(f"/campaigns/snippets/{snippet.pk}/", {**GOOD, "body": "© 2026"})

    assert (
        created.status_code == 302 and created["Location"] == f"/campaigns/snippets/{snippet.pk}/"
    )
    assert 'data-slug="pie-legal"' in listing and "Pie legal" in listing
    assert edited.status_code == 302
    snippet.refresh_from_db()
    assert snippet.body == "© 2026" and snippet.updated_by == client.user
    page = client.get(f"/campaigns/snippets/{snippet.pk}/").content.decode()
    assert "snippet('pie-legal')" in page


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"body": "{{ creator.nmae }}"}, "Line 1"),
        ({"body": ""}, "required"),
        ({"slug": "no vale"}, "letters"),
        ({"slug": "x" * 61}, "at most 60"),
        ({"locale": "fr"}, "valid choice"),
        ({"body": "{{ snippet('otro') }}"}, "cannot use other snippets"),
    ],
)
def test_a_bad_snippet_form_is_a_400_with_the_cause(role_client, change, shown):
    response = role_client("editor").post("/campaigns/snippets/new/", {**GOOD, **change})

    assert response.status_code == 400
    assert shown in response.content.decode()
    assert not Snippet.objects.exists()


def test_a_taken_slug_and_language_is_a_400(role_client):
    snippet_save(actor=None, **GOOD)
    response = role_client("editor").post("/campaigns/snippets/new/", GOOD)
    assert response.status_code == 400
    assert "already a snippet" in response.content.decode()


def test_permissions_and_unknown_ids(role_client):
    analyst = role_client("analyst")
    assert analyst.get("/campaigns/snippets/").status_code == 200
    assert analyst.get("/campaigns/snippets/new/").status_code == 403
    assert analyst.post("/campaigns/snippets/new/", GOOD).status_code == 403
    editor = role_client("editor")
    assert editor.get("/campaigns/snippets/999999/").status_code == 404
    assert editor.delete("/campaigns/snippets/").status_code == 405


def test_the_nav_lists_snippets_under_messaging(role_client):
    html = role_client("editor").get("/campaigns/snippets/").content.decode()
    link = re.search(r'<a [^>]*id="snippets-link"[^>]*>', html)
    campaigns = re.search(r'<a [^>]*href="/campaigns/"[^>]*>', html)
    assert link is not None and 'aria-current="page"' in link.group(0)
    assert campaigns is not None and "aria-current" not in campaigns.group(0)


def test_the_wizard_refuses_an_unknown_snippet_with_its_line(role_client):
    snippet_save(actor=None, **GOOD)
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    client = role_client("editor")
    fields = {"channel": "push", "locale": "es-MX", "title": "Hola", "link": ""}

    refused = client.post(
        f"/campaigns/{campaign.pk}/messages/", {**fields, "body": "Hola\n{{ snippet('pie') }}"}
    )
    saved = client.post(
        f"/campaigns/{campaign.pk}/messages/", {**fields, "body": "{{ snippet('pie-legal') }}"}
    )
    hints = client.get(f"/campaigns/{campaign.pk}/messages/").content.decode()

    assert refused.status_code == 400
    assert "Line 2: unknown snippet “pie”" in refused.content.decode()
    assert saved.status_code == 302
    message = Message.objects.get(campaign=campaign, channel="push", locale="es-MX")
    assert message.fields["body"] == "{{ snippet('pie-legal') }}"
    assert "snippet(&#x27;pie-legal&#x27;)" in hints
