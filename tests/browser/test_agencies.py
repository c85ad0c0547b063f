"""An agency and a reviewer work a script through two rounds in Chromium, once in English
and once in Spanish: the agency sees only its brief, submits, reads the review, resubmits
and compares; the reviewer comments on a line, asks for changes, then approves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail

from agencies import services
from agencies.models import Deliverable
from config.celery import app as celery_app
from tests.support.browser import shot
from tests.support.factories import PASSWORD, agency_make, agency_user_make, user_make

pytestmark = pytest.mark.browser

# Strings the es-MX catalogue already has; the agencies pages' own strings are translated
# in the central pass, so the Spanish run checks the frame around them and html[lang].
NAV = {"en": ("Home", "Sign out"), "es-mx": ("Inicio", "Cerrar sesión")}


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """The notification email task runs in the live server's thread (locmem backend)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def _sign_in(page, live_server, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state()


def _sign_out(page, language: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=NAV[language][1]).click()


def _frame_is_in(page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("nav").get_by_role("link", name=NAV[language][0]).is_visible()


@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_agency_and_reviewer_work_a_script(page, live_server, eager_tasks, language):
    reviewer = user_make("revisora", role="editor")
    agency = agency_make("Alfa")
    writer = agency_user_make(agency, "alfa-writer")
    other = agency_make("Bravo")
    other_brief = services.brief_create(
        actor=reviewer,
        agency=other,
        title="Brief de Bravo",
        objective="x",
        final_due="2030-01-01",
    )
    brief = services.brief_create(
        actor=reviewer,
        agency=agency,
        title="Vender en vivo",
        objective="Explicar el live.",
        final_due="2030-01-01",
        checklist=["Mensajes clave", "Políticas"],
        deliverables=[{"kind": "script", "title": "Guion en vivo", "due_date": "2030-01-01"}],
    )
    deliverable = brief.deliverables.get()

    # The agency signs in and lands on its briefs: its own only, and no ops pages.
    _sign_in(page, live_server, writer.username)
    assert page.url.endswith("/agency/")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)
    _frame_is_in(page, language)
    assert page.get_by_role("link", name="Vender en vivo").is_visible()
    assert other_brief.title not in page.content()
    nav = page.locator("header nav")
    assert nav.locator("a[href='/creators/']").count() == 0
    assert nav.locator("a[href='/campaigns/']").count() == 0
    assert nav.locator("a[href='/agencies/']").count() == 0
    assert page.locator("#notifications-unread").inner_text() == "1"  # the new brief
    shot(page, "agency-briefs")

    page.get_by_role("link", name="Guion en vivo").click()
    page.fill("#id_text", "Hola.\nHoy vendemos en vivo.\nCompra ya.")
    with page.expect_navigation():
        page.locator("#submit-form button[type=submit]").click()
    _frame_is_in(page, language)
    assert page.locator("#version[data-version='1']").is_visible()
    shot(page, "agency-submitted")
    _sign_out(page, language)

    # The reviewer finds it on the tracking page, comments on line 2, asks for changes.
    _sign_in(page, live_server, reviewer.username)
    _frame_is_in(page, language)
    assert page.locator("#notifications-unread").inner_text() == "1"
    page.goto("/agencies/")
    _frame_is_in(page, language)
    page.locator(f"#all tr[data-deliverable='{deliverable.pk}'] a").click()
    page.fill("#comment-form #id_body", "Di «aprender», no solo «vender».")
    page.fill("#comment-form #id_line", "2")
    with page.expect_navigation():
        page.locator("#comment-form button[type=submit]").click()
    assert page.locator(".thread").count() == 1
    page.select_option("#id_decision", "changes")
    page.fill("#id_summary", "Un ajuste en la línea 2.")
    with page.expect_navigation():
        page.locator("#review-form button[type=submit]").click()
    assert page.locator(".review[data-decision='changes']").is_visible()
    shot(page, "reviewer-changes")
    _sign_out(page, language)

    # The agency is told, reads the comment, resubmits and compares the two versions.
    _sign_in(page, live_server, writer.username)
    _frame_is_in(page, language)
    assert page.locator("#notifications-unread").inner_text() == "2"
    page.goto(f"/work/deliverables/{deliverable.pk}/")
    assert "Di «aprender», no solo «vender»." in page.locator(".thread").inner_text()
    page.fill("#id_text", "Hola.\nHoy aprendemos a vender en vivo.\nCompra ya.")
    with page.expect_navigation():
        page.locator("#submit-form button[type=submit]").click()
    page.locator("#compare-link").click()
    _frame_is_in(page, language)
    assert page.locator("table.diff tr.replace td.left del").inner_text() == "vendemos"
    assert page.locator("table.diff tr.replace td.right ins").inner_text() == "aprendemos a vender"
    shot(page, "agency-diff")
    _sign_out(page, language)

    # The reviewer ticks the checklist and approves.
    _sign_in(page, live_server, reviewer.username)
    page.goto(f"/work/deliverables/{deliverable.pk}/")
    _frame_is_in(page, language)
    for box in page.locator("#review-form input[type=checkbox]").all():
        box.check()
    page.select_option("#id_decision", "approve")
    page.fill("#id_summary", "Listo.")
    with page.expect_navigation():
        page.locator("#review-form button[type=submit]").click()
    assert page.locator(".review[data-decision='approve']").is_visible()
    shot(page, "reviewer-approved")

    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.APPROVED
    assert {m.to[0] for m in mail.outbox} >= {writer.email, reviewer.email}


def test_agency_pages_fit_a_phone_and_label_every_control(page, login_as, live_server):
    from tests.browser.test_phone_and_keyboard import PHONE, UNLABELLED_CONTROLS

    page.set_viewport_size(PHONE)
    manager = login_as("manager")
    agency = agency_make("Alfa")
    writer = agency_user_make(agency, "alfa-writer")
    brief = services.brief_create(
        actor=manager,
        agency=agency,
        title="Vender en vivo",
        objective="Explicar el live.",
        final_due="2030-01-01",
        checklist=["Mensajes clave"],
        deliverables=[{"kind": "script", "title": "Guion en vivo", "due_date": "2020-01-01"}],
    )
    deliverable = brief.deliverables.get()
    long_line = "Una línea muy larga sin cortes " * 12
    first = services.version_submit(deliverable=deliverable, actor=writer, text=long_line)
    services.comment_add(version=first, actor=manager, body="Más corto.", line=1)
    services.review_submit(version=first, actor=manager, decision="changes", summary="Corta.")
    services.version_submit(deliverable=deliverable, actor=writer, text=long_line + "fin")
    ops_pages = [
        "/agencies/",
        "/agencies/briefs/",
        "/agencies/briefs/new/",
        f"/agencies/briefs/{brief.pk}/",
        f"/work/deliverables/{deliverable.pk}/",
        f"/work/deliverables/{deliverable.pk}/diff/",
        "/notifications/",
    ]
    agency_pages = ["/agency/", f"/agency/briefs/{brief.pk}/", "/notifications/"]
    problems = {}
    for who, pages in ((None, ops_pages), (writer, agency_pages)):
        if who is not None:
            _sign_out(page, "en")
            _sign_in(page, live_server, who.username)
        for url in pages:
            response = page.goto(url)
            assert response.status == 200, url
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            unlabelled = page.evaluate(UNLABELLED_CONTROLS)
            if wide > 0 or unlabelled:
                problems[url] = {"overflow_px": wide, "unlabelled": unlabelled}
                shot(page, url.strip("/").replace("/", "-"))
    assert problems == {}
