"""From a creator's page, ops get a signed portal link to copy and preview the portal as the
creator: read-only, bannered, and nothing recorded as the creator's doing."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit.models import AuditEntry
from channels.models import InboxMessage
from creators.models import ConsentChange
from portal.session import CREATOR_KEY
from tests.support.factories import creator_make, delivery_make, inbox_message_make


@pytest.fixture
def manager(role_client):
    return role_client("manager")


def test_the_link_signs_the_creator_in_to_the_portal(manager):
    ana = creator_make("ana")
    delivery_make(ana)
    response = manager.post(f"/creators/{ana.pk}/portal-link/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    link = re.search(r'data-copy="(http[^"]+)"', html)[1]
    assert 'id="portal-link-copy"' in html
    path = link.split("://", 1)[1].split("/", 1)[1]
    creator_browser = Client()
    opened = creator_browser.get(f"/{path}")
    assert opened.status_code == 302 and opened["Location"] == "/me/"
    assert creator_browser.session[CREATOR_KEY] == ana.pk
    assert AuditEntry.objects.filter(action="creator.portal_link", target_id=str(ana.pk)).exists()


def test_no_link_for_a_creator_never_messaged(manager):
    ana = creator_make("ana")
    response = manager.post(f"/creators/{ana.pk}/portal-link/")
    assert response.status_code == 200
    assert 'id="portal-link-none"' in response.content.decode()
    assert not AuditEntry.objects.filter(action="creator.portal_link").exists()


def test_preview_shows_the_creators_inbox_and_records_nothing_as_them(manager):
    ana = creator_make("ana", locale="es-MX", consent_whatsapp="unknown")
    message = inbox_message_make(ana, title="Bienvenida a julio")
    inbox = manager.get(f"/creators/{ana.pk}/portal/inbox/")
    assert inbox.status_code == 200
    html = inbox.content.decode()
    assert 'id="portal-preview-banner"' in html and "Preview: the portal as @ana sees it." in html
    assert "Bienvenida a julio" in html
    assert '<main id="main" inert>' in html
    assert "Bandeja" in html  # the portal in the creator's language
    prefs = manager.get(f"/creators/{ana.pk}/portal/preferences/")
    assert prefs.status_code == 200 and '<main id="main" inert>' in prefs.content.decode()
    message.refresh_from_db()
    assert message.read_at is None
    assert not ConsentChange.objects.exists()
    assert CREATOR_KEY not in manager.session
    assert AuditEntry.objects.filter(action="creator.portal_preview").count() == 2


def test_preview_of_unknown_page_or_creator_is_404(manager):
    ana = creator_make("ana")
    assert manager.get(f"/creators/{ana.pk}/portal/library/").status_code == 404
    assert manager.get("/creators/999999/portal/inbox/").status_code == 404
    assert manager.post("/creators/999999/portal-link/").status_code == 404


def test_roles(role_client):
    ana = creator_make("ana")
    delivery_make(ana)
    analyst = role_client("analyst")
    assert analyst.get(f"/creators/{ana.pk}/portal/inbox/").status_code == 200
    assert analyst.post(f"/creators/{ana.pk}/portal-link/").status_code == 403
    page = analyst.get(f"/creators/{ana.pk}/").content.decode()
    assert 'id="portal-preview"' in page and 'id="portal-link-get"' not in page
    assert Client().get(f"/creators/{ana.pk}/portal/inbox/").status_code == 302  # sign in
    assert InboxMessage.objects.count() == 0
