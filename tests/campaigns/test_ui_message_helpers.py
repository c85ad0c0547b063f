"""The messages step's helpers: preview for a creator picked by handle, start a language's
message from the other language's, and a warning for a marketing email without an
unsubscribe link."""

from __future__ import annotations

import pytest

from campaigns.models import Campaign, Message
from creators.models import Creator
from tests.support.factories import MESSAGES, campaign_make, creators_make

pytestmark = pytest.mark.django_db

UNSUBSCRIBE = '<p><a href="{{ unsubscribe_url() }}">Baja</a></p>'


def _preview(client, campaign: Campaign, **data: str) -> str:
    response = client.post(f"/campaigns/{campaign.pk}/messages/preview/", data)
    assert response.status_code == 200
    return response.content.decode()


def test_the_preview_renders_for_the_creator_whose_handle_is_typed(role_client):
    creators_make(3)
    Creator.objects.filter(handle="creador_2").update(name="Zoe Ramírez")
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    client = role_client("editor")
    fields = {"channel": "push", "locale": "es-MX", **MESSAGES["push"]}

    first = _preview(client, campaign, **fields)
    picked = _preview(client, campaign, **fields, preview_handle="@CREADOR_2")
    unknown = _preview(client, campaign, **fields, preview_handle="nadie")

    assert "Zoe, entra ya" in picked and "Zoe" not in first
    assert 'data-testid="preview-creator-unknown"' in unknown
    assert 'data-testid="preview-creator-unknown"' not in picked


def test_the_creator_search_lists_handles_starting_with_the_text(role_client):
    creators_make(12)
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    client = role_client("editor")

    html = client.get(
        f"/campaigns/{campaign.pk}/messages/preview-creators/", {"preview_handle": "creador_1"}
    ).content.decode()
    empty = client.get(f"/campaigns/{campaign.pk}/messages/preview-creators/").content.decode()

    assert '<option value="creador_1">' in html and '<option value="creador_11">' in html
    assert "creador_2" not in html and "<option" not in empty


def test_copy_from_the_other_language_fills_the_tab_to_be_edited(role_client):
    campaign = campaign_make(channels=("email",), locales=("es-MX",))
    client = role_client("editor")

    page = client.get(
        f"/campaigns/{campaign.pk}/messages/", {"tab": "email-en", "copy_from": "es-MX"}
    ).content.decode()
    plain = client.get(f"/campaigns/{campaign.pk}/messages/", {"tab": "email-en"}).content.decode()

    assert 'data-testid="copied-note"' in page
    assert 'value="¡Hola {{ creator.first_name }}! Nueva misión"' in page
    assert "Nueva misión" not in plain.split('id="message-form"')[1].split("</form>")[0]
    assert 'id="copy-from-es-MX"' in plain
    es = client.get(f"/campaigns/{campaign.pk}/messages/", {"tab": "email-es-MX"})
    assert 'id="copy-from-en"' not in es.content.decode()  # nothing in English to copy
    assert not Message.objects.filter(campaign=campaign, locale="en").exists()  # until saved


def test_a_marketing_email_without_unsubscribe_link_is_flagged(role_client):
    campaign = campaign_make(channels=("email",), locales=("es-MX",))
    client = role_client("editor")
    email = {"channel": "email", "locale": "es-MX", **MESSAGES["email"]}

    missing = _preview(client, campaign, **email)
    present = _preview(client, campaign, **{**email, "html": email["html"] + UNSUBSCRIBE})
    Campaign.objects.filter(pk=campaign.pk).update(transactional=True)
    transactional = _preview(client, campaign, **email)

    assert 'data-testid="unsubscribe-warning"' in missing
    assert 'data-testid="unsubscribe-warning"' not in present
    assert 'data-testid="unsubscribe-warning"' not in transactional


def test_the_review_page_warns_too(role_client):
    creators_make(1)
    campaign = campaign_make(channels=("email",), locales=("es-MX",))
    html = role_client("manager").get(f"/campaigns/{campaign.pk}/review/").content.decode()
    assert 'data-testid="unsubscribe-warning"' in html
