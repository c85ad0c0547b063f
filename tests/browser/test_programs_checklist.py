"""Programs in Chromium (here, beside the browser fixtures, so one browser serves the session): the checklist shows what fails and how to fix it, launch is refused, a
manager overrides with a written reason, and the calendar flags a same-day overlap."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditEntry
from campaigns.models import Campaign
from tests.programs.sites import loopback_site_serve
from tests.support.browser import shot
from tests.support.factories import campaign_make, creators_make, program_make

pytestmark = pytest.mark.browser

MX = ZoneInfo("America/Mexico_City")


@pytest.fixture
def loopback_site():
    with loopback_site_serve() as site:
        yield site


def _scheduled(name: str, level_from: int) -> Campaign:
    campaign = campaign_make(
        name=name,
        channels=("inbox",),
        rules={"all": [{"field": "level", "op": "gte", "value": level_from}]},
    )
    campaign.status = Campaign.Status.SCHEDULED
    campaign.send_at = datetime(2026, 12, 10, 11, tzinfo=MX)
    campaign.save(update_fields=["status", "send_at"])
    return campaign


def test_checklist_override_and_calendar(page, login_as, settings, loopback_site):
    settings.LINK_CHECK_ALLOW_PRIVATE = True
    creators_make(8)
    site = loopback_site.url
    program = program_make(
        name="Misión LIVE diciembre",
        messages=[
            {
                "channel": "inbox",
                "locale": "es-MX",
                "title": "Misión LIVE",
                "body": "Hola {{ creator.first_name }}, reglas: " + f"{site}/missing",
            }
        ],
        rules_url=f"{site}/ok",
        landing_url=f"{site}/ok",
    )
    campaign = program.campaign
    _scheduled("Reto de regalos", 2)
    _scheduled("Aviso de envíos", 5)
    login_as("manager")

    # The checklist: what fails, and how to fix it.
    page.goto(f"/campaigns/{campaign.pk}/review/")
    checklist = page.locator("#readiness")
    checklist.get_by_text("Readiness").wait_for()
    failing = checklist.locator(".checklist-item.failing")
    assert failing.count() == 2
    link_item = checklist.locator(f'[data-item="link:{site}/missing"]')
    assert "Answered HTTP 404" in link_item.inner_text()
    assert "How to fix: Fix or replace the link." in link_item.inner_text()
    assert "FAQ" in checklist.locator('[data-item="pages"]').inner_text()
    shot(page, "checklist")

    # Launching is refused while required items fail.
    page.locator("#launch").click()
    page.locator("#launch-confirm-button").click()
    page.get_by_text("The checklist is not complete").wait_for()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    shot(page, "launch-refused")

    # A manager overrides, in writing.
    page.locator("#readiness").get_by_label("Why launch anyway?").wait_for()
    reason = "La FAQ se publica mañana a las 9:00; el enlace roto se corrige en la app."
    page.get_by_label("Why launch anyway?").fill(reason)
    page.get_by_role("button", name="Override and launch").click()
    page.wait_for_url(f"**/campaigns/{campaign.pk}/")
    page.get_by_text("Checklist overridden; campaign started.").wait_for()
    page.locator("#readiness").get_by_text(reason).wait_for()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    entry = AuditEntry.objects.get(action="campaign.readiness_override")
    assert entry.detail["reason"] == reason and len(entry.detail["failing"]) == 2
    shot(page, "overridden")

    # The calendar: the two December sends reach the same creators (level 5 and up).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    page.wait_for_url("**/programs/calendar/")
    page.get_by_label("View").select_option("week")
    page.get_by_label("Date").fill("2026-12-10")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/programs/calendar/?*")
    collision = page.locator(".collision-overlap")
    assert collision.count() == 1
    assert "“Reto de regalos” and “Aviso de envíos” both reach 3 creators" in collision.inner_text()
    assert page.locator('td[data-day="2026-12-10"].has-collision').count() == 1
    shot(page, "calendar-week")

    page.get_by_label("Kind").select_option("education")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("No collisions.").wait_for()
    shot(page, "calendar-filtered")
