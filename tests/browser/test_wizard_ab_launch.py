"""In Chromium: write an A/B campaign with a holdout in the wizard (two variants per message,
a 20 % holdout, the winner by click rate), then launch it through the confirmation, which
counts per channel what will be sent."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from campaigns.models import Campaign, Delivery, Message
from tests.support.browser import shot
from tests.support.factories import creators_make, segment_make

pytestmark = pytest.mark.browser

CREATORS = 40
VARIANT_TEXT = {
    "A": ("Misión nueva", "{{ creator.first_name }}, entra ya"),
    "B": ("¡Reto abierto!", "{{ creator.first_name }}, hoy cierra"),
}


def test_ab_campaign_with_holdout_launched_through_the_confirmation(page, login_as):
    creators_make(CREATORS)
    segment_make(name="Todas las creadoras")
    login_as("manager")

    # Basics and audience.
    page.goto("/campaigns/new/")
    page.get_by_label(re.compile(r"^Name:?$")).fill("Reto A/B")
    page.get_by_label("Kind:").select_option("mission")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Segment:").select_option(label="Todas las creadoras")
    page.get_by_label("Push", exact=True).check()
    page.get_by_label("Email", exact=True).check()
    page.get_by_role("button", name="Next").click()

    # The A/B test and holdout box.
    page.locator("#ab-test > summary").click()
    page.locator("#id_variants").select_option("2")
    page.locator("#id_weight_a").fill("50")
    page.locator("#id_weight_b").fill("50")
    page.locator("#id_holdout_percent").fill("20")
    page.locator("#id_test_percent").fill("0")
    page.locator("#id_winner_metric").select_option("ctr")
    shot(page, "ab-box")
    page.locator("#ab-save").click()
    page.get_by_text("A/B test and holdout saved.").wait_for()
    campaign = Campaign.objects.get(name="Reto A/B")
    assert campaign.variant_weights == {"A": 50.0, "B": 50.0}
    assert campaign.holdout_percent == Decimal(20)

    # One message per channel and variant (es-MX, the default language).
    for variant, (title, body) in VARIANT_TEXT.items():
        page.get_by_role("tab", name=re.compile(rf"^Push · es-MX · {variant}")).click()
        page.locator("#f-title").fill(title)
        page.locator("#f-body").fill(body)
        page.locator("#f-link").fill("https://shop.example/m/1")
        page.locator("#preview-creator").fill("creador_3")
        page.locator("#preview-creator").dispatch_event("change")
        page.locator("#preview").get_by_text("As Creadora 3 would see it").wait_for()
        page.get_by_role("button", name="Save draft").click()
        page.get_by_role("tab", name=re.compile(rf"^Push · es-MX · {variant} ✓")).wait_for()

        page.get_by_role("tab", name=re.compile(rf"^Email · es-MX · {variant}")).click()
        page.locator("#f-subject").fill(f"{title} ({variant})")
        page.locator("#f-html").fill("<p>Hola {{ creator.first_name }}</p>")
        page.get_by_test_id("unsubscribe-warning").wait_for()
        shot(page, f"unsubscribe-warning-{variant}")
        page.locator("#f-html").fill(
            '<p>Hola {{ creator.first_name }}</p><p><a href="{{ unsubscribe_url() }}">Baja</a></p>'
        )
        page.wait_for_function("() => !document.querySelector('#unsubscribe-warning')")
        page.get_by_role("button", name="Save draft").click()
        page.get_by_role("tab", name=re.compile(rf"^Email · es-MX · {variant} ✓")).wait_for()
    assert set(Message.objects.filter(campaign=campaign).values_list("channel", "variant")) == {
        ("push", "A"),
        ("push", "B"),
        ("email", "A"),
        ("email", "B"),
    }

    # Schedule, review, confirmation.
    page.get_by_role("link", name="Next").click()
    page.get_by_label("Now, when launched").check()
    page.get_by_role("button", name="Next").click()
    page.locator("#review-ab-test").get_by_text("Holdout: 20 %").wait_for()
    shot(page, "review")
    page.locator("#launch").click()
    confirm = page.locator("#launch-confirm")
    confirm.wait_for()
    push_reachable = int(page.get_by_test_id("launch-push-reachable").inner_text())
    push_holdout = int(page.get_by_test_id("launch-push-holdout").inner_text())
    push_to_send = int(page.get_by_test_id("launch-push-to-send").inner_text())
    assert push_reachable == CREATORS and 0 < push_holdout < CREATORS
    assert push_holdout + push_to_send == CREATORS
    shot(page, "confirmation")
    page.locator("#launch-confirm-button").click()
    page.wait_for_url(f"**/campaigns/{campaign.pk}/")
    page.get_by_text("Campaign started.").wait_for()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    shot(page, "launched")

    # Fan-out (run by the test, as a worker would) matches the confirmation's counts.
    from campaigns import fanout

    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    push = Delivery.objects.filter(campaign=campaign, channel="push")
    assert push.filter(status="holdout").count() == push_holdout
    assert set(push.exclude(status="holdout").values_list("variant", flat=True)) == {"A", "B"}
