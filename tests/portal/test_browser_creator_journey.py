"""A creator's whole journey in headless Chromium, from an email at the SMTP fake to the ops
dashboards: magic link → inbox → lesson read to the end → preferences."""

import re

import pytest

from campaigns import services
from campaigns.models import Campaign
from creators.models import ConsentChange, Creator
from education.models import LearningProgress
from segments.services import segment_create
from tests.support.browser import shot
from tests.support.factories import creator_make, lesson_make
from tracking.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.worker]

PHONE = {"width": 390, "height": 844}
HUMAN_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def _campaign_with_lesson() -> Campaign:
    segment = segment_create(
        name="Creadoras del curso", rules={"all": [{"field": "level", "op": "gte", "value": 0}]}
    )
    return services.campaign_create(
        owner=None,
        name="Aprende a grabar con luz",
        kind=Campaign.Kind.MISSION,
        segment=segment,
        messages=[
            {
                "channel": "email",
                "locale": "es-MX",
                "subject": "Tu portal Altavoz, {{ creator.first_name }}",
                "html": '<p>Hola {{ creator.first_name }}, <a href="{{ portal_url() }}">abre tu '
                'portal</a>.</p><p><a href="{{ unsubscribe_url() }}">Darte de baja</a></p>',
            },
            {
                "channel": "inbox",
                "locale": "es-MX",
                "title": "Lección nueva: buena luz",
                "body": "Una guía corta para grabar mejor.",
                "cta_label": "Empezar lección",
                "cta_link": "{{ learn('buena-luz') }}",
            },
        ],
    )


def test_creator_journey_from_email_to_completed_lesson(page, login_as, live_stack):
    creator = creator_make("luz_mx", name="Luz Martínez", email="luz@example.com")
    item = lesson_make("buena-luz")
    campaign = _campaign_with_lesson()
    services.campaign_launch(campaign=campaign)
    live_stack.worker_start(EMAIL_PROVIDER="smtp")

    emails = live_stack.fakes.wait_for(
        lambda fakes: fakes.received("smtp", accepted=True, recipient="luz@example.com"),
        timeout=60,
    )
    assert emails, live_stack.worker_log()
    html = emails[0]["request"]["html"]
    magic = re.search(r'href="([^"]*/p/[^"]+/)"', html).group(1)
    assert magic.startswith(live_stack.url)

    # A phone, and a person's browser: HeadlessChrome's own agent is (rightly) a bot's.
    page.set_viewport_size(PHONE)
    page.set_extra_http_headers({"User-Agent": HUMAN_AGENT})
    page.goto(magic)
    page.wait_for_url(f"{live_stack.url}/me/")
    assert page.locator("html").get_attribute("lang") == "es-mx"
    assert "Luz Martínez" in page.locator("h1").inner_text()
    shot(page, "inbox")

    page.click("#inbox a:has-text('Lección nueva: buena luz')")
    page.wait_for_selector("article.message")
    shot(page, "inbox-message")
    page.click("#cta")  # tracked click → lesson, signed in, visit attributed to the delivery
    page.wait_for_url(f"{live_stack.url}/learn/buena-luz/")
    assert "Graba con buena luz" in page.locator("h1").inner_text()
    shot(page, "lesson-top")

    page.locator("#lesson-end").scroll_into_view_if_needed()
    page.wait_for_selector("#lesson-done", state="visible")
    shot(page, "lesson-completed")
    progress = LearningProgress.objects.get(creator=creator, item=item)
    assert progress.completed_at is not None and progress.delivery is not None

    page.goto("/me/preferences/")
    page.uncheck("#id_channel_whatsapp")
    page.check("#id_channel_push")
    page.select_option("#id_locale", "en")
    page.fill("#id_quiet_hours_start", "22:00")
    page.fill("#id_quiet_hours_end", "08:00")
    page.click("#preferences button[type=submit]")
    page.wait_for_selector("#saved")
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "preferences-saved")
    creator = Creator.objects.get(pk=creator.pk)
    assert creator.locale == "en" and creator.consent_push == "granted"
    assert ConsentChange.objects.filter(creator=creator, source="preferences").exists()

    inbox_delivery = progress.delivery
    assert Event.objects.filter(delivery=inbox_delivery, kind="opened", source="inbox").exists()
    assert Event.objects.filter(delivery=inbox_delivery, kind="clicked", automated=False).exists()

    # The ops side sees the open, the click and the completion.
    page.set_viewport_size({"width": 1280, "height": 800})
    login_as("analyst")
    page.goto(f"/stats/campaigns/{campaign.pk}/")
    shot(page, "ops-campaign-stats")
    inbox_row = page.locator("tr[data-channel='inbox']")
    assert inbox_row.locator("[data-figure='unique_opens']").inner_text() == "1"
    assert inbox_row.locator("[data-figure='unique_clicks']").inner_text() == "1"
    page.goto("/education/analytics/")
    row = page.locator("#items tr[data-item='buena-luz']")
    assert row.locator("[data-figure='completions']").inner_text() == "1"
    assert row.locator("[data-figure='visits']").inner_text() == "1"
    funnel = page.locator("#funnel")
    assert funnel.locator("tr[data-stage='completed'] td").inner_text() == "1"
    assert funnel.locator("tr[data-stage='clicked'] td").inner_text() == "1"
    assert funnel.locator("tr[data-stage='opened'] td").inner_text() == "1"
    shot(page, "ops-education-analytics")
