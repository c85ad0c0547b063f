"""The ops walk from issue 5, in a real Chromium against the live server, PostgreSQL, Redis,
a real Celery worker and the fake providers:

sign in → import a CSV (and read its error report) → build a nested segment and watch its
count → create a campaign on all four channels in both languages (a template error shown
inline on the way) → preview → launch → watch the progress bar reach 100 % → open the
dashboard and read the numbers the fakes and the synthetic opens and clicks imply.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from html import unescape

import pytest
from django.test import override_settings
from django.utils import timezone

from campaigns.models import Campaign, Delivery
from creators.models import Creator
from creators.services import device_register
from tests.creators.csvfiles import creator_row, csv_bytes
from tests.support.browser import shot
from tests.support.factories import creators_make

pytestmark = [pytest.mark.browser, pytest.mark.worker]

IMPORTED = 24
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
BAD_LINES = {3: b"walk_bad1,Sin correo,not-an-email", 9: b"walk_bad2,Nivel raro"}

MESSAGES = {
    "email": {
        "Subject": "¡Hola {{ creator.first_name }}! Nueva misión",
        "HTML body": '<p>Hola {{ creator.first_name }}, <a href="https://shop.example/m/7">únete</a>.</p>',
    },
    "whatsapp": {"Body": "Hola {{ creator.first_name }}, nivel {{ creator.level }}."},
    "push": {"Title": "Misión nueva", "Body": "{{ creator.first_name }}, entra ya"},
    "inbox": {
        "Title": "Misión",
        "Body": "Hola {{ creator.first_name }}",
        "Button label": "Ver",
        "Button link": "https://shop.example/m/7",
    },
}


def _import_csv() -> bytes:
    """24 good rows tagged `walk` (half in Jalisco, levels 1–4, every third in English) with
    two broken rows among them, on known lines."""
    rows: list[dict[str, str] | bytes] = []
    for index in range(IMPORTED):
        rows.append(
            creator_row(
                f"walk_{index:02d}",
                name=f"Creadora Walk {index}",
                email=f"walk{index}@example.mx",
                phone=f"+5255{70000000 + index}",
                state="Jalisco" if index % 2 == 0 else "Nuevo León",
                level=str(1 + index % 4),
                locale="en" if index % 3 == 0 else "es-MX",
                consent_email="yes",
                consent_whatsapp="yes",
                consent_push="yes",
                tags="walk",
            )
        )
    for line, raw in sorted(BAD_LINES.items()):
        rows.insert(line - 2, raw)  # line 1 is the header
    return csv_bytes(rows)


def _fill(page, label: str, value: str) -> None:
    page.get_by_label(re.compile(rf"^{re.escape(label)}:?$")).fill(value)


@override_settings(TRACKING_BOT_CLICK_SECONDS=0)
def test_ops_walk_from_import_to_dashboard(page, login_as, live_stack, tmp_path):
    creators_make(10)  # creators already on file, outside the walk's segment
    live_stack.fakes.set_behaviour(
        "sendgrid",
        callbacks={
            "enabled": True,
            "url": f"{live_stack.url}/hooks/sendgrid/events",
            "events": ["processed", "delivered", "open"],
            "delay_ms": 50,
        },
    )
    live_stack.fakes.set_behaviour(
        "twilio",
        callbacks={"enabled": True, "delay_ms": 50, "statuses": ["queued", "sent", "delivered"]},
    )
    live_stack.worker_start()
    login_as("manager")
    shot(page, "home")

    # --- import ------------------------------------------------------------------------
    page.get_by_role("link", name="Creators", exact=True).click()
    page.get_by_role("link", name="Import CSV").click()
    upload = tmp_path / "walk.csv"
    upload.write_bytes(_import_csv())
    page.get_by_label("CSV file").set_input_files(str(upload))
    shot(page, "import-chosen")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Every row was imported.").or_(page.locator("#import-errors")).wait_for()
    report = page.locator("#import-errors")
    for line in BAD_LINES:
        assert report.get_by_role("cell", name=str(line), exact=True).count() == 1, line
    shot(page, "import-report")
    assert Creator.objects.filter(tags__contains=["walk"]).count() == IMPORTED
    walkers = list(Creator.objects.filter(tags__contains=["walk"]).order_by("handle"))
    for creator in walkers[::2]:  # the app registers push tokens for half of them
        device_register(creator=creator, token=f"walk-device-{creator.handle}", platform="ios")
    # They all wrote to us on WhatsApp this morning: the free-text message reaches them
    # (outside the 24-hour window it would not: tests/campaigns/test_whatsapp_window*.py).
    Creator.objects.filter(tags__contains=["walk"]).update(
        whatsapp_window_open_until=timezone.now() + timedelta(hours=20)
    )

    # --- segment -----------------------------------------------------------------------
    page.get_by_role("link", name="Segments", exact=True).click()
    page.get_by_role("link", name="New segment").click()
    _fill(page, "Name", "Walk: Jalisco o nivel 3+")
    page.locator("#rule-root-add-rule").click()
    page.locator("#rule-root-0-field").select_option("tags")
    page.locator("#rule-root-0-value").fill("walk")
    count = page.get_by_test_id("segment-count")
    count.filter(has_text=str(IMPORTED)).wait_for()
    page.locator("#rule-root-add-group").click()
    page.locator("#rule-root-1-match").select_option("any")
    page.locator("#rule-root-1-0-field").select_option("state")
    page.locator("#rule-root-1-0-value").select_option(label="Jalisco")
    page.locator("#rule-root-1-add-rule").click()
    page.locator("#rule-root-1-1-field").select_option("level")
    page.locator("#rule-root-1-1-op").select_option("gte")
    page.locator("#rule-root-1-1-value").fill("3")
    audience = [c for c in walkers if c.state in ("JAL", "Jalisco") or c.level >= 3]
    assert 0 < len(audience) < IMPORTED
    count.filter(has_text=re.compile(rf"^{len(audience)}$")).wait_for()
    shot(page, "segment-nested")
    page.get_by_role("button", name="Save segment").click()
    page.get_by_text("Who is in it").wait_for()

    # --- campaign wizard ---------------------------------------------------------------
    page.get_by_role("link", name="Campaigns", exact=True).click()
    page.get_by_role("link", name="New campaign").click()
    _fill(page, "Name", "Misión Walk")
    page.get_by_label("Kind:").select_option("mission")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Segment:").select_option(label="Walk: Jalisco o nivel 3+")
    for channel in ("Email", "WhatsApp", "Push", "Inbox"):
        page.get_by_label(channel, exact=True).check()
    shot(page, "audience")
    page.get_by_role("button", name="Next").click()

    for channel, label in (
        ("email", "Email"),
        ("whatsapp", "WhatsApp"),
        ("push", "Push"),
        ("inbox", "Inbox"),
    ):
        for locale in ("es-MX", "en"):
            page.get_by_role("tab", name=re.compile(rf"^{label} · {locale}")).click()
            for field, value in MESSAGES[channel].items():
                _fill(page, field, value if locale == "es-MX" else value.replace("Hola", "Hi"))
            if (channel, locale) == ("email", "es-MX"):
                _fill(page, "Subject", "Hola {{ creator.first_name }")  # broken on purpose
                page.get_by_role("button", name="Save draft").click()
                error = page.locator("#message-form").get_by_test_id("template-error")
                assert error.inner_text() == "Line 1: syntax error: unexpected '}'"
                shot(page, "template-error-inline")
                _fill(page, "Subject", MESSAGES["email"]["Subject"])
            page.get_by_role("button", name="Save draft").click()
            page.get_by_role("tab", name=re.compile(rf"^{label} · {locale} ✓")).wait_for()
    page.get_by_role("tab", name=re.compile(r"^WhatsApp · es-MX")).click()
    page.get_by_role("button", name="Preview").click()
    page.locator("#preview").get_by_text("nivel").first.wait_for()
    shot(page, "preview")
    page.get_by_role("link", name="Next").click()
    page.get_by_label("Now, when launched").check()
    page.get_by_role("button", name="Next").click()
    shot(page, "review")

    # --- launch and watch --------------------------------------------------------------
    page.locator("#launch").click()
    page.locator("#launch-confirm-button").click()
    campaign = Campaign.objects.get(name="Misión Walk")
    progress = page.get_by_test_id("progress")
    progress.wait_for()
    page.wait_for_function(
        "() => { const p = document.querySelector('progress[data-testid=progress]');"
        " return p && p.value > 0 && p.value === p.max; }",
        timeout=60_000,
    )
    shot(page, "sent-100")
    deliveries = Delivery.objects.filter(campaign=campaign)
    with_device = [c for c in audience if walkers.index(c) % 2 == 0]
    expected = {
        "email": len(audience),
        "whatsapp": len(audience),
        "push": len(with_device),
        "inbox": len(audience),
    }
    for channel, number in expected.items():
        assert deliveries.filter(channel=channel, status="sent").count() == number, channel
    assert len(live_stack.fakes.received("sendgrid", accepted=True)) == len(audience)

    # --- synthetic clicks: three creators tap the email link -----------------------------
    clicked = 0
    for request in live_stack.fakes.received("sendgrid", accepted=True)[:3]:
        html = next(c["value"] for c in request["request"]["content"] if c["type"] == "text/html")
        href = unescape(re.search(r'href="([^"]*/t/c/[^"]+)"', html).group(1))
        response = page.request.get(href, max_redirects=0, headers={"User-Agent": PHONE})
        assert response.status == 302
        clicked += 1
    # The fakes' delivery receipts and opens reach the app's webhooks within a few seconds.
    settled = deliveries.filter(first_delivered_at__isnull=False)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        settled.filter(channel="email", first_opened_at__isnull=False).count() == len(audience)
        and settled.filter(channel="whatsapp").count() == len(audience)
    ):
        time.sleep(0.2)

    # --- dashboard ---------------------------------------------------------------------
    page.goto(f"{live_stack.url}/stats/campaigns/{campaign.pk}/")
    email_row = page.locator("tr[data-channel=email]").first
    email_row.wait_for()
    shot(page, "dashboard")
    figures = {
        name: email_row.locator(f"[data-figure={name}]").inner_text()
        for name in ("sent", "delivered", "unique_opens", "unique_clicks", "click_rate")
    }
    assert figures["sent"] == figures["delivered"] == figures["unique_opens"] == str(len(audience))
    assert figures["unique_clicks"] == str(clicked)
    assert figures["click_rate"] == f"{clicked / len(audience) * 100:.1f} %"
    whatsapp_row = page.locator("tr[data-channel=whatsapp]").first
    assert whatsapp_row.locator("[data-figure=delivered]").inner_text() == str(len(audience))
    push_row = page.locator("tr[data-channel=push]").first
    assert push_row.locator("[data-figure=sent]").inner_text() == str(len(with_device))
