"""Issue 18: an ops user replies to a creator from the thread page in a real Chromium, in
es-MX and in en: free text while the creator's 24-hour window is open, an approved template
once it is closed, picked from the approved templates in the creator's language. Each reply reaches the fake Twilio, whose status callbacks come back to
the live server, and the page shows the status without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conversations import services
from conversations.canned_defaults import canned_answers_seed
from conversations.models import Conversation, Message
from creators.models import Creator
from tests.conversations.conftest import inbound_params, reply_template
from tests.support.browser import shot

pytestmark = pytest.mark.browser

TEMPLATE_SID = "HX" + "5d" * 16
# Django's own catalogue says how long the window stays open in the viewer's language.
WINDOW_LEFT = {"es-mx": re.compile(r"\d+\s+horas?"), "en": re.compile(r"\d+\s+hours?")}


def _sent_to(fakes, phone: str) -> list[dict]:
    return fakes.received("twilio", accepted=True, recipient=f"whatsapp:{phone}")


@pytest.mark.parametrize("language", ["es-mx", "en"])
def test_ops_reply_inside_and_outside_the_window_and_see_its_status(
    page, login_as, live_stack, language
):
    fakes = live_stack.fakes
    fakes.set_behaviour(
        "twilio",
        callbacks={"enabled": True, "delay_ms": 50, "statuses": ["queued", "sent", "delivered"]},
    )
    writing = Creator.objects.create(
        handle="ana_lopez",
        name="Ana López",
        phone="+525512345678",
        locale="es-MX",
        consent_whatsapp="granted",
    )
    silent = Creator.objects.create(
        handle="jo_smith",
        name="Jo Smith",
        phone="+525587654321",
        locale="en",
        consent_whatsapp="granted",
    )
    # Ana writes (filed as the inbound webhook's worker files it): her window opens.
    webhook_id = services.inbound_webhook_store(
        params=inbound_params(wa_id="5215512345678", body="¿Cómo me inscribo?")
    )
    assert webhook_id is not None
    services.inbound_webhook_process(webhook_id=webhook_id)
    canned_answers_seed()
    # Jo has a thread but has not written in 24 hours.
    closed = Conversation.objects.create(creator=silent, phone=silent.phone)
    # The catalogue, as a sync of Twilio's Content API leaves it.
    reply_template(TEMPLATE_SID, variables=("1", "2"), locale="en", name="friday_reminder")
    reply_template("HX" + "6e" * 16, locale="en", name="welcome_back")
    reply_template("HX" + "7f" * 16, variables=("1", "2"), name="recordatorio_viernes")
    reply_template("HX" + "80" * 16, locale="en", name="friday_pending", status="pending")

    login_as("editor")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator("#conversations-unread")).to_have_text("1")

    # Inside the window: free text.
    page.locator("#conversations-link").click()
    page.wait_for_url("**/conversations/")
    shot(page, "inbox")
    page.get_by_role("link", name="@ana_lopez").click()
    expect(page.locator("#thread-messages")).to_contain_text("¿Cómo me inscribo?")
    expect(page.locator("#window-state")).to_have_text(WINDOW_LEFT[language])
    # A canned answer fills the box (htmx), rendered for Ana in her language; ops edit it.
    page.locator("#canned-answer").select_option(label="Gracias")
    expect(page.locator("#reply-body")).to_have_value(
        "¡Gracias por escribirnos, Ana! Seguimos en contacto."
    )
    text = "¡Hola Ana! Te mando la guía." if language == "es-mx" else "Hi Ana, here is the guide."
    page.locator("#reply-body").fill(text)
    page.locator("#reply-text-form button[type=submit]").click()
    reply_line = page.locator("#thread-messages li.thread-out", has_text=text)
    expect(reply_line.locator(".message-status.status-delivered")).to_be_visible(timeout=15_000)
    shot(page, "free-text-delivered")
    (sent,) = _sent_to(fakes, writing.phone)
    assert sent["request"]["Body"] == text
    expect(page.locator("#conversations-unread")).to_have_count(0)  # read by whoever answers

    # Outside the window: only a template can go.
    page.goto(f"/conversations/{closed.pk}/")
    assert page.locator("#window-state.window-closed").is_visible()
    assert page.locator("#reply-text-form").count() == 0
    form = page.locator("#reply-template-form")
    # The picker lists the approved templates in Jo's language (en) only; search narrows it.
    expect(form.locator("[data-testid=template-option]")).to_have_count(2)
    expect(form).not_to_contain_text("recordatorio_viernes")
    form.locator("#template-search").fill("friday")
    expect(form.locator("[data-testid=template-option]")).to_have_count(1)
    form.get_by_text("friday_reminder").click()
    # Picking it shows one input per variable of the template (htmx).
    form.locator("input[name=var_1]").fill("Jo")
    form.locator("input[name=var_2]").fill("Friday")
    shot(page, "template-picked")
    form.locator("button[type=submit]").click()
    template_line = page.locator("#thread-messages li.thread-out", has_text=TEMPLATE_SID)
    expect(template_line.locator(".message-status.status-delivered")).to_be_visible(timeout=15_000)
    shot(page, "template-delivered")
    (sent,) = _sent_to(fakes, silent.phone)
    assert sent["request"]["ContentSid"] == TEMPLATE_SID
    assert '"2": "Friday"' in sent["request"]["ContentVariables"]
    statuses = dict(Message.objects.filter(direction="out").values_list("body", "status"))
    assert statuses == {text: "delivered", "": "delivered"}
