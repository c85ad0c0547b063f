"""The creator page: profile, consent with history, devices and every message with what they did."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Delivery
from creators.models import ConsentChange, Creator, Device


@pytest.fixture
def ana(db):
    return Creator.objects.create(
        handle="ana",
        name="Ana López",
        email="ana@example.mx",
        level=4,
        followers=12345,
        state="JAL",
        consent_email="granted",
        consent_push="denied",
    )


def test_get_absolute_url_is_the_creator_page(ana):
    assert ana.get_absolute_url() == f"/creators/{ana.pk}/"


def test_page_shows_profile_consent_history_and_devices(role_client, ana):
    ConsentChange.objects.create(creator=ana, channel="push", status="denied", source="unsubscribe")
    Device.objects.create(creator=ana, token="tok-1", platform="ios")
    html = role_client("analyst").get(f"/creators/{ana.pk}/").content.decode()
    assert "@ana" in html and "Ana López" in html and "ana@example.mx" in html
    assert "12,345" in html and "Jalisco" in html
    assert "Unsubscribe link" in html  # the history row's source
    assert 'class="consent-denied"' in html and 'class="consent-granted"' in html
    assert "iOS" in html


def test_page_lists_messages_with_opens_and_clicks(role_client, ana):
    campaign = Campaign.objects.create(name="Hot Sale 2026", kind="announcement")
    sent = timezone.now() - timedelta(days=1)
    Delivery.objects.create(
        campaign=campaign,
        channel="email",
        creator=ana,
        locale="es-MX",
        status="sent",
        sent_at=sent,
        first_opened_at=sent + timedelta(minutes=5),
        first_clicked_at=sent + timedelta(minutes=6),
    )
    Delivery.objects.create(
        campaign=campaign,
        channel="whatsapp",
        creator=ana,
        locale="es-MX",
        status="failed",
        error_message="Invalid number",
    )
    other = Creator.objects.create(handle="beto", name="Beto")
    Delivery.objects.create(campaign=campaign, channel="push", creator=other, locale="es-MX")
    response = role_client("analyst").get(f"/creators/{ana.pk}/")
    deliveries = list(response.context["page"])
    assert {(d.channel, d.status) for d in deliveries} == {
        ("email", "sent"),
        ("whatsapp", "failed"),
    }
    html = response.content.decode()
    assert "Hot Sale 2026" in html and "Invalid number" in html
    email_row = html.split("<td>Email</td>")[1].split("</tr>")[0]
    assert email_row.count("—") == 0  # sent, opened and clicked are all filled in


def test_messages_are_paginated(role_client, ana):
    campaign = Campaign.objects.create(name="Weekly", kind="education")
    Delivery.objects.bulk_create(
        Delivery(campaign=campaign, run=run, channel="inbox", creator=ana, locale="es-MX")
        for run in range(1, 31)
    )
    client = role_client("analyst")
    assert len(client.get(f"/creators/{ana.pk}/").context["page"]) == 25
    second = client.get(f"/creators/{ana.pk}/", {"page": 2})
    assert len(second.context["page"]) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_unknown_creator_is_404(role_client, db):
    assert role_client("analyst").get("/creators/999999/").status_code == 404
