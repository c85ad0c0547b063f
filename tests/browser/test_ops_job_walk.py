"""An ops person's whole job, in the browser only (issue 20), in es-MX and English, at
1440 px and 390 px, on the real stack (live server, PostgreSQL, Redis, a Celery worker, the
fake Twilio/SendGrid/FCM):

sign in → import a cp1252 spreadsheet with a partial header → build a segment → make a list
by pasting handles → write a 4-channel bilingual campaign with an A/B test → launch it
through the confirmation → watch the campaign page finish → check what the providers
received, per channel, language and variant → (creators open and click on their phones) →
follow up the non-openers from the stats page and launch the follow-up → export who clicked.

Each step is one function taking the shared `Walk`, listed in `STEPS`. Each step asserts
what the person sees, in their language, and leaves a screenshot in
var/artifacts/ops-walk/<language>-<width>/<nn>-<step>.png (docs/testing.md).

Only the creators' side of the world is set up outside the browser, as it happens outside
Altavoz: their phones register push tokens through the shop's app, they write to us on
WhatsApp (through the fake Twilio's signed inbound webhook), which opens the 24-hour window
free text needs, and some open the campaign's email on their phone (its open pixel) and tap
its tracked link, in a browser context of their own.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db.models import Max
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from campaigns.models import Campaign, Delivery
from channels.models import InboxMessage
from creators.models import Creator
from creators.services import device_register
from tests.support.browser import shot
from tests.support.browser_harness import LiveStack, browser_page_open
from tests.support.factories import PASSWORD, creators_make, user_make
from tests.support.worker import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.worker]

ARTIFACTS = ROOT / "var" / "artifacts" / "ops-walk"
BROWSER_LOCALE = {"es-MX": "es-MX", "en": "en-US"}  # the UI language → the browser's locale
VIEWPORTS: dict[int, ViewportSize] = {
    1440: {"width": 1440, "height": 900},
    390: {"width": 390, "height": 844},
}
PHONE_MENU_BELOW = 52 * 16  # px: the shell folds its menu behind "Menu" under 52rem

# What the person reads, per UI language (the es-MX catalogue's words, typed out here so a
# missing translation fails the walk instead of passing in English).
TEXT: dict[str, dict[str, str]] = {
    "Main": {"en": "Main", "es-MX": "Principal"},
    "Menu": {"en": "Menu", "es-MX": "Menú"},
    "Sign in": {"en": "Sign in", "es-MX": "Iniciar sesión"},
    "Sign out": {"en": "Sign out", "es-MX": "Cerrar sesión"},
    "Home": {"en": "Home", "es-MX": "Inicio"},
    "Creators": {"en": "Creators", "es-MX": "Creadores"},
    "Import CSV": {"en": "Import CSV", "es-MX": "Importar CSV"},
    "Import creators": {"en": "Import creators", "es-MX": "Importar creadores"},
    "Import": {"en": "Import", "es-MX": "Importar"},
    "Done": {"en": "Done", "es-MX": "Terminado"},
    "Windows-1252": {
        "en": "Read as Windows-1252 (Excel on Windows).",
        "es-MX": "Leído como Windows-1252 (Excel en Windows).",
    },
    "Imported without these cells": {
        "en": "Imported without these cells",
        "es-MX": "Importado sin estas celdas",
    },
    "Problems": {"en": "Problems", "es-MX": "Problemas"},
    "Unknown column": {"en": "Unknown column", "es-MX": "Columna desconocida"},
    "phone problem": {
        "en": "Not a valid phone number",
        "es-MX": "No es un número de teléfono válido",
    },
    "state problem": {"en": "Unknown Mexican state", "es-MX": "Estado de México desconocido"},
    "handle problem": {"en": "Not a TikTok handle", "es-MX": "No es un usuario de TikTok"},
    "Segments": {"en": "Segments", "es-MX": "Segmentos"},
    "New segment": {"en": "New segment", "es-MX": "Nuevo segmento"},
    "Save segment": {"en": "Save segment", "es-MX": "Guardar segmento"},
    "Who is in it": {"en": "Who is in it", "es-MX": "Quiénes están"},
    "creators match": {"en": "creators match", "es-MX": "creadores coinciden"},
    "Campaigns": {"en": "Campaigns", "es-MX": "Campañas"},
    "New campaign": {"en": "New campaign", "es-MX": "Nueva campaña"},
    "Next": {"en": "Next", "es-MX": "Siguiente"},
    "Steps": {"en": "Steps", "es-MX": "Pasos"},
    "Schedule": {"en": "Schedule", "es-MX": "Programación"},
    "Audience": {"en": "Audience", "es-MX": "Audiencia"},
    "Messages": {"en": "Messages", "es-MX": "Mensajes"},
    "Review": {"en": "Review", "es-MX": "Revisión"},
    "creators in the segment": {
        "en": "creators in the segment",
        "es-MX": "creadores en el segmento",
    },
    "Save draft": {"en": "Save draft", "es-MX": "Guardar borrador"},
    "Preview": {"en": "Preview", "es-MX": "Vista previa"},
    "Launch": {"en": "Launch", "es-MX": "Lanzar"},
    "Campaign started.": {"en": "Campaign started.", "es-MX": "Campaña iniciada."},
    "Sending": {"en": "Sending", "es-MX": "Enviando"},
    "Sent": {"en": "Sent", "es-MX": "Enviado"},
    "Opens and clicks": {"en": "Opens and clicks", "es-MX": "Aperturas y clics"},
    "No deliveries.": {"en": "No deliveries.", "es-MX": "No hay envíos."},
    "progress": {
        "en": "sent {sent} / failed 0 / remaining 0",
        "es-MX": "enviados {sent} / fallidos 0 / pendientes 0",
    },
    "A/B test and holdout saved.": {
        "en": "A/B test and holdout saved.",
        "es-MX": "Prueba A/B y grupo de control guardados.",
    },
    "Variants": {"en": "Variants", "es-MX": "Variantes"},
    "no holdout": {
        "en": "Holdout: 0 % of the audience gets nothing.",
        "es-MX": "Grupo de control: el 0 % de la audiencia no recibe nada.",
    },
    "Launch…": {"en": "Launch…", "es-MX": "Lanzar…"},
    "Confirm the launch": {"en": "Confirm the launch", "es-MX": "Confirma el lanzamiento"},
    "Retarget": {"en": "Retarget", "es-MX": "Volver a impactar"},
    "Did not open": {"en": "Did not open", "es-MX": "No abrió"},
    "Follow up": {"en": "Follow up", "es-MX": "Dar seguimiento"},
    "Follow-up:": {"en": "Follow-up:", "es-MX": "Seguimiento:"},
    "Clicked": {"en": "Clicked", "es-MX": "Con clic"},
    "Download CSV": {"en": "Download CSV", "es-MX": "Descargar CSV"},
    "New list of handles": {"en": "New list of handles", "es-MX": "Nueva lista de usuarios"},
    "list made": {
        "en": "List “{name}” made with {number} creators.",
        "es-MX": "Lista “{name}” creada con {number} creadoras.",
    },
    "1 handle is not a creator": {
        "en": "1 handle is not a creator",
        "es-MX": "1 usuario no es una creadora",
    },
}
CHANNEL_LABEL = {
    "email": {"en": "Email", "es-MX": "Correo"},
    "whatsapp": {"en": "WhatsApp", "es-MX": "WhatsApp"},
    "push": {"en": "Push", "es-MX": "Push"},
    "inbox": {"en": "Inbox", "es-MX": "Bandeja de entrada"},
}


# --- the spreadsheet -----------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One creator row as an office's Excel export writes it."""

    handle: str  # as written: a leading @ and capitals, as exports have them
    name: str
    email: str
    phone: str  # as written; "" when blank
    state: str  # as written, with accents
    locale: str  # "es-MX" or "en"

    @property
    def stored_handle(self) -> str:
        return self.handle.lstrip("@").lower()

    @property
    def stored_phone(self) -> str:
        """E.164 as Altavoz keeps it: +52 and ten digits (WhatsApp's +521 mobile form too)."""
        digits = re.sub(r"\D", "", self.phone)
        return f"+52{digits[-10:]}"


HEADER = (
    "handle,nombre,correo,teléfono,estado,idioma,"
    "consent_email,consent_whatsapp,consent_push,etiquetas,id vendedor"
)


def people(table: str) -> tuple[Person, ...]:
    return tuple(Person(*line.split(" | ")) for line in table.strip().splitlines())


# handle | nombre | correo | teléfono | estado | idioma, as the office typed them.
PEOPLE = people("""
@Mariana.Lopez | Mariana López | mariana.lopez@example.mx | +521 55 1234 5601 | Nuevo León | es-MX
@JoseAngel_Mtz | José Ángel Martínez | jose.martinez@example.mx | 521 33 1234 5602 | Jalisco | en
@Ximena.Pena | Ximena Peña | ximena@example.mx | (81) 1234-5603 | Querétaro | es-MX
@renata_gzz | Renata González | renata.gzz@example.mx | +52 81 1234 5604 | Nuevo León | en
@LuisFer.Ruiz | Luis Fernando Ruíz | luisfer@example.mx | +521 33 1234 5605 | Jalisco | es-MX
@Andrea_Solis | Andrea Solís | andrea.solis@example.mx | +521 999 123 4506 | Yucatán | es-MX
@camila.ibanez | Camila Ibáñez | camila@example.mx | +521 81 1234 5607 | nuevo leon | es-MX
@Pablo.Nunez | Pablo Núñez | pablo.nunez@example.mx | 33-1234-5608 | JALISCO | en
@valeria_mich | Valeria Ávila | valeria@example.mx | +521 443 123 4509 | Michoacán | en
@Daniela.Rdz | Daniela Rodríguez | daniela.rdz@example.mx | +521 55 1234 5610 | Ciudad de México | es-MX
@Fer_Castaneda | Fernanda Castañeda | fer.castaneda@example.mx | +521 33 1234 5611 | Jalisco | es-MX
@hugo.sanchez | Hugo Sánchez | hugo.sanchez@example.mx | +521 81 1234 5612 | Nuevo León | en
""")
# Imported without one cell each (a warning on their line), and a row refused (an error).
BAD_PHONE, BAD_STATE, BAD_HANDLE = people("""
@Sofia_Ruiz | Sofía Ruiz | sofia.ruiz@example.mx | 12345 | Jalisco | es-MX
@Diego.Nunez | Diego Núñez | diego@example.mx | +521 55 1234 5699 | Atlántida | en
no válido! | Sin Usuario | sin.usuario@example.mx |  | Jalisco | es-MX
""")
ROWS = (*PEOPLE[:4], BAD_PHONE, *PEOPLE[4:8], BAD_HANDLE, *PEOPLE[8:10], BAD_STATE, *PEOPLE[10:])
LINE = {person: index + 2 for index, person in enumerate(ROWS)}  # line 1 is the header
IMPORTED = (*PEOPLE, BAD_PHONE, BAD_STATE)
TAG = "walk-diciembre"
# The segment the walk builds: tagged, and in Jalisco or Nuevo León.
AUDIENCE_STATES = ("JAL", "NLE")


def spreadsheet_bytes() -> bytes:
    """The file as Excel on a Spanish Windows saves "CSV": Windows-1252, CRLF, consent
    written "Sí", a trailing column Altavoz does not know."""
    lines = [HEADER]
    for index, person in enumerate(ROWS):
        consent = ("Sí", "sí", "SI")[index % 3]
        lines.append(
            ",".join(
                (
                    person.handle,
                    person.name,
                    person.email,
                    person.phone,
                    person.state,
                    person.locale,
                    consent,
                    consent,
                    consent,
                    f"{TAG}; tienda",
                    f"V-{index:04d}",
                )
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


# --- the campaign --------------------------------------------------------------------------

CAMPAIGN = {"es-MX": "Misión de diciembre", "en": "December mission"}
SEGMENT = {"es-MX": "Diciembre: Jalisco y Nuevo León", "en": "December: Jalisco and Nuevo León"}
LINK = "https://shop.example/misiones/diciembre"
MESSAGES: dict[str, dict[str, dict[str, str]]] = {
    "email": {
        "es-MX": {
            "subject": "¡Hola {{ creator.first_name }}! Tu misión de diciembre",
            "html": f'<p>Hola {{{{ creator.first_name }}}}, <a href="{LINK}">únete aquí</a>.</p>',
        },
        "en": {
            "subject": "Hi {{ creator.first_name }}! Your December mission",
            "html": f'<p>Hi {{{{ creator.first_name }}}}, <a href="{LINK}">join here</a>.</p>',
        },
    },
    "whatsapp": {
        "es-MX": {"body": "Hola {{ creator.first_name }}, tu misión de diciembre ya empezó."},
        "en": {"body": "Hi {{ creator.first_name }}, your December mission has started."},
    },
    "push": {
        "es-MX": {"title": "Misión de diciembre", "body": "{{ creator.first_name }}, entra ya"},
        "en": {"title": "December mission", "body": "{{ creator.first_name }}, join now"},
    },
    "inbox": {
        "es-MX": {
            "title": "Tu misión de diciembre",
            "body": "Hola {{ creator.first_name }}, ya puedes inscribirte.",
            "cta_label": "Ver misión",
            "cta_link": LINK,
        },
        "en": {
            "title": "Your December mission",
            "body": "Hi {{ creator.first_name }}, you can sign up now.",
            "cta_label": "See the mission",
            "cta_link": LINK,
        },
    },
}
# Variant B of the A/B test: the same link, other words.
MESSAGES_B: dict[str, dict[str, dict[str, str]]] = {
    "email": {
        "es-MX": {
            "subject": "{{ creator.first_name }}, la misión de diciembre te espera",
            "html": f'<p>{{{{ creator.first_name }}}}, <a href="{LINK}">únete aquí</a>.</p>',
        },
        "en": {
            "subject": "{{ creator.first_name }}, the December mission is waiting",
            "html": f'<p>{{{{ creator.first_name }}}}, <a href="{LINK}">join here</a>.</p>',
        },
    },
    "whatsapp": {
        "es-MX": {"body": "{{ creator.first_name }}, ¡ya abrió la misión de diciembre!"},
        "en": {"body": "{{ creator.first_name }}, the December mission is open!"},
    },
    "push": {
        "es-MX": {"title": "¡Misión abierta!", "body": "{{ creator.first_name }}, hoy empieza"},
        "en": {"title": "Mission open!", "body": "{{ creator.first_name }}, it starts today"},
    },
    "inbox": {
        "es-MX": {
            "title": "La misión de diciembre ya abrió",
            "body": "{{ creator.first_name }}, inscríbete hoy.",
            "cta_label": "Ver misión",
            "cta_link": LINK,
        },
        "en": {
            "title": "The December mission is open",
            "body": "{{ creator.first_name }}, sign up today.",
            "cta_label": "See the mission",
            "cta_link": LINK,
        },
    },
}
VARIANTS = {"A": MESSAGES, "B": MESSAGES_B}
# The follow-up to the non-openers keeps the copied messages but says it is a reminder.
REMINDER = {
    "es-MX": "Recordatorio: {{ creator.first_name }}, tu misión de diciembre sigue abierta",
    "en": "Reminder: {{ creator.first_name }}, your December mission is still open",
}
# A creator's phone: Safari on an iPhone (a person's agent, not a scanner's or a proxy's).
PHONE_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# What the pasted list holds: handles as people type them (capitals, "@", commas), one
# creator outside the walk's segment per cell, and a handle nobody has on line 3.
PASTED = {"es-MX": "Lista pegada: tiendas del sur", "en": "Pasted list: southern shops"}
PASTED_HANDLES = "@XIMENA.PENA\nandrea_Solis, @Valeria_Mich\n@fantasma.mx\n@Daniela.Rdz\n"
PASTED_PEOPLE = ("ximena.pena", "andrea_solis", "valeria_mich", "daniela.rdz")
PASTED_UNKNOWN = (3, "@fantasma.mx")


# --- the walk's shared state ------------------------------------------------------------


@dataclass
class Walk:
    page: Page
    stack: LiveStack
    language: str  # "es-MX" or "en"
    width: int
    tmp_path: Path
    timings: dict[str, float] = field(default_factory=dict)
    audience: list[Person] = field(default_factory=list)
    with_device: list[Person] = field(default_factory=list)
    campaign: Campaign | None = None
    clicked: list[Person] = field(default_factory=list)  # opened the email and clicked
    opened: list[Person] = field(default_factory=list)  # opened it, clicked nothing
    menu_shown: bool = False  # the phone menu's screenshot is taken once

    @property
    def phone(self) -> bool:
        return self.width < PHONE_MENU_BELOW

    @property
    def launched(self) -> Campaign:
        """The campaign the wizard made (after `step_campaign_wizard`)."""
        assert self.campaign is not None, "step_campaign_wizard comes first"
        return self.campaign

    @property
    def not_opened(self) -> list[Person]:
        """The audience minus whoever opened or clicked (after `world_creators_engage`)."""
        engaged = {*self.clicked, *self.opened}
        return [person for person in self.audience if person not in engaged]

    def t(self, key: str) -> str:
        return TEXT[key][self.language]

    def channel(self, code: str) -> str:
        return CHANNEL_LABEL[code][self.language]

    def menu_open(self, label: str) -> None:
        """Go to a top-level page the way a person does: the sidebar at 1440 px, the
        "Menu" button then the link at 390 px."""
        nav = self.page.get_by_role("navigation", name=self.t("Main"))
        link = nav.get_by_role("link", name=label, exact=True)
        if self.phone:
            assert not link.is_visible(), f"{label} should be folded behind the menu"
            nav.get_by_role("button", name=self.t("Menu")).click()
            assert link.is_visible()
            self.fits()
            if not self.menu_shown:
                self.shot("phone-menu")
                self.menu_shown = True
        link.click()
        expect(nav.locator("a[aria-current=page]")).to_have_text(label)

    def fits(self) -> None:
        """Nothing wider than the screen (tables scroll in their own box), measured once the
        page has loaded: before its stylesheet applies, a table is not yet in its box."""
        self.page.wait_for_load_state("load")
        wide = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 0:
            culprits = self.page.evaluate(WIDER_THAN_THE_SCREEN)
            pytest.fail(f"{self.page.url} is {wide}px wider than the screen: {culprits}")

    def shot(self, step: str) -> None:
        shot(self.page, step)


# The innermost elements reaching past the right edge (for the failure message), leaving out
# those inside a box that scrolls or clips them (a wide table in its .table-wrap).
WIDER_THAN_THE_SCREEN = """() => {
  const clipped = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = (el) =>
    el.getBoundingClientRect().right > window.innerWidth + 0.5 && !clipped(el);
  return [...document.querySelectorAll("body *")]
    .filter(wide)
    .filter((el) => ![...el.children].some(wide))
    .slice(0, 5).map((el) => el.outerHTML.slice(0, 100));
}"""


# --- the steps ------------------------------------------------------------------------------


def step_sign_in(walk: Walk) -> None:
    """An ops user with the manager role (not a superuser) signs in through the login form;
    the browser's language picks the UI's."""
    page = walk.page
    user = user_make("ops-walk", role="manager")
    assert not user.is_superuser and not user.is_staff
    page.goto("/")
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("h1").inner_text() == walk.t("Sign in")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    walk.shot("sign-in")
    page.get_by_role("button", name=walk.t("Sign in")).click()
    page.wait_for_url(f"{walk.stack.url}/")
    assert page.locator("h1").inner_text() == walk.t("Home")
    assert page.get_by_role("button", name=walk.t("Sign out")).is_visible()
    assert page.locator("#language-select option:checked").inner_text() == (
        "español de México" if walk.language == "es-MX" else "English"
    )
    walk.fits()
    walk.shot("home")


def step_import(walk: Walk) -> None:
    """Creators → Import CSV → the cp1252 file: the job page follows the worker to "Done",
    says which encoding it read, counts, and lists the cells left out and the row refused."""
    page = walk.page
    walk.menu_open(walk.t("Creators"))
    page.get_by_role("link", name=walk.t("Import CSV")).click()
    assert page.locator("h1").inner_text() == walk.t("Import creators")
    upload = walk.tmp_path / "creadores-diciembre.csv"
    upload.write_bytes(spreadsheet_bytes())
    page.locator("input[type=file][name=file]").set_input_files(str(upload))
    walk.fits()
    walk.shot("import-chosen")
    page.get_by_role("button", name=walk.t("Import"), exact=True).click()
    page.locator("#import-status", has_text=walk.t("Done")).wait_for(timeout=30_000)

    assert page.locator("#import-created").inner_text() == str(len(IMPORTED))
    assert page.locator("#import-updated").inner_text() == "0"
    assert page.locator("#import-rejected").inner_text() == "1"
    assert page.locator("#import-encoding").inner_text() == walk.t("Windows-1252")
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1
    assert errors.first.locator("td").first.inner_text() == str(LINE[BAD_HANDLE])
    assert walk.t("handle problem") in errors.first.inner_text()
    assert page.get_by_role("heading", name=walk.t("Imported without these cells")).is_visible()
    warnings = {
        row.locator("td").first.inner_text(): row.inner_text()
        for row in page.locator("#import-warnings tbody tr").all()
    }
    assert set(warnings) == {"1", str(LINE[BAD_PHONE]), str(LINE[BAD_STATE])}, warnings
    assert "id vendedor" in warnings["1"] and walk.t("Unknown column") in warnings["1"]
    assert walk.t("phone problem") in warnings[str(LINE[BAD_PHONE])]
    assert walk.t("state problem") in warnings[str(LINE[BAD_STATE])]
    walk.fits()
    walk.shot("import-report")

    # What landed: accents read right, +521 mobiles kept as +52, states as their codes.
    stored = {c.handle: c for c in Creator.objects.filter(tags__contains=[TAG])}
    assert set(stored) == {person.stored_handle for person in IMPORTED}
    for person in PEOPLE:
        creator = stored[person.stored_handle]
        assert (creator.name, creator.phone, creator.locale) == (
            person.name,
            person.stored_phone,
            person.locale,
        )
    assert stored[BAD_PHONE.stored_handle].phone == ""
    assert stored[BAD_STATE.stored_handle].state == ""
    walk.audience = [
        person
        for person in (*PEOPLE, BAD_PHONE)
        if stored[person.stored_handle].state in AUDIENCE_STATES
    ]
    assert 0 < len(walk.audience) < len(IMPORTED)


def world_creators_reach_out(walk: Walk) -> None:
    """Outside Altavoz, not an ops step: every other creator of the audience installs the
    shop's app (which registers a push token), and each with a phone writes to us on
    WhatsApp this morning (the signed inbound webhook), which opens their 24-hour window."""
    walk.stack.fakes.set_behaviour("twilio", whatsapp_window=True)
    inbound = f"{walk.stack.url}/hooks/twilio/inbound"
    for index, person in enumerate(walk.audience):
        creator = Creator.objects.get(handle=person.stored_handle)
        if index % 2 == 0:
            device_register(creator=creator, token=f"walk-{creator.handle}", platform="android")
            walk.with_device.append(person)
        if person is not BAD_PHONE:
            wrote = walk.stack.fakes.whatsapp_reply(
                f"+521{person.stored_phone[3:]}", body="Hola, ¿hay misión este mes?", url=inbound
            )
            assert wrote["status"] == 200, wrote


def step_segment(walk: Walk) -> None:
    """Segments → New segment: tagged AND (Jalisco OR Nuevo León), built with the builder's
    column leaves; the live count follows each rule; saved, its page shows the count."""
    page = walk.page
    walk.menu_open(walk.t("Segments"))
    page.get_by_role("link", name=walk.t("New segment")).click()
    assert page.locator("h1").inner_text() == walk.t("New segment")
    page.locator("#id_name").fill(SEGMENT[walk.language])
    count = page.get_by_test_id("segment-count")
    page.locator("#rule-root-add-rule").click()
    page.locator("#rule-root-0-field").select_option("tags")
    page.locator("#rule-root-0-value").fill(TAG)
    count.filter(has_text=re.compile(rf"^{len(IMPORTED)}$")).wait_for()
    page.locator("#rule-root-add-group").click()
    page.locator("#rule-root-1-match").select_option("any")
    page.locator("#rule-root-1-0-field").select_option("state")
    page.locator("#rule-root-1-0-value").select_option(label="Jalisco")
    page.locator("#rule-root-1-add-rule").click()
    page.locator("#rule-root-1-1-field").select_option("state")
    page.locator("#rule-root-1-1-value").select_option(label="Nuevo León")
    count.filter(has_text=re.compile(rf"^{len(walk.audience)}$")).wait_for()
    line = page.locator(".segment-count-line").inner_text()
    assert line == f"{len(walk.audience)} {walk.t('creators match')}", line
    walk.fits()
    walk.shot("segment-builder")
    page.get_by_role("button", name=walk.t("Save segment")).click()
    page.get_by_role("heading", name=walk.t("Who is in it")).wait_for()
    assert page.locator("h1").inner_text() == SEGMENT[walk.language]
    assert page.get_by_test_id("segment-count").inner_text() == str(len(walk.audience))
    walk.fits()
    walk.shot("segment-saved")


def step_pasted_list(walk: Walk) -> None:
    """Segments → New list of handles: handles pasted as people type them (capitals, "@",
    several on a line); the list is made with the creators found, and the one handle nobody
    has is reported with its line."""
    page = walk.page
    walk.menu_open(walk.t("Segments"))
    page.get_by_role("link", name=walk.t("New list of handles")).click()
    assert page.locator("h1").inner_text() == walk.t("New list of handles")
    name = PASTED[walk.language]
    page.locator("#id_name").fill(name)
    page.locator("#list-handles").fill(PASTED_HANDLES)
    walk.fits()
    walk.shot("list-pasted")
    page.locator("#list-create").click()
    result = page.locator("#list-result")
    expect(result).to_contain_text(walk.t("list made").format(name=name, number=len(PASTED_PEOPLE)))
    unknown = page.locator("#list-unknown")
    assert unknown.get_by_role("heading").inner_text() == walk.t("1 handle is not a creator")
    rows = [row.locator("td").all_inner_texts() for row in unknown.locator("tbody tr").all()]
    assert rows == [[str(PASTED_UNKNOWN[0]), PASTED_UNKNOWN[1]]], rows
    walk.fits()
    walk.shot("list-made")
    page.locator("#list-open").click()
    page.get_by_role("heading", name=walk.t("Who is in it")).wait_for()
    assert page.locator("h1").inner_text() == name
    assert page.get_by_test_id("segment-count").inner_text() == str(len(PASTED_PEOPLE))
    sample = page.locator(".segment-sample tbody tr td:first-child").all_inner_texts()
    assert sorted(sample) == sorted(f"@{handle}" for handle in PASTED_PEOPLE), sample
    walk.fits()
    walk.shot("list-saved")


def step_campaign_wizard(walk: Walk) -> None:
    """Campaigns → New campaign: basics, the segment and the four channels (the reachable
    counts per channel), then a message per channel in es-MX and in English, a preview,
    "now" as the schedule, and the review."""
    page = walk.page
    name = CAMPAIGN[walk.language]
    walk.menu_open(walk.t("Campaigns"))
    page.get_by_role("link", name=walk.t("New campaign")).click()
    page.locator("#id_name").fill(name)
    page.locator("#id_kind").select_option("mission")
    page.locator("#id_default_locale").select_option("es-MX")
    walk.fits()
    walk.shot("wizard-basics")
    page.get_by_role("button", name=walk.t("Next")).click()

    steps = page.get_by_role("navigation", name=walk.t("Steps"))
    assert steps.locator("[aria-current=step]").inner_text() == walk.t("Audience")
    page.locator("#id_segment").select_option(label=SEGMENT[walk.language])
    counts = page.locator("#audience-counts")
    counts.get_by_text(f"{len(walk.audience)} {walk.t('creators in the segment')}").wait_for()
    for code in ("push", "inbox", "whatsapp", "email"):
        page.get_by_label(walk.channel(code), exact=True).check()
    reachable = {
        "email": len(walk.audience),
        "whatsapp": len(walk.audience) - 1,  # BAD_PHONE has no phone
        "push": len(walk.with_device),
        "inbox": len(walk.audience),
    }
    for code, number in reachable.items():
        assert page.get_by_test_id(f"reachable-{code}").inner_text() == str(number), code
    assert page.get_by_test_id("whatsapp-in-window").inner_text() == str(reachable["whatsapp"])
    walk.fits()
    walk.shot("wizard-audience")
    page.get_by_role("button", name=walk.t("Next")).click()

    assert steps.locator("[aria-current=step]").inner_text() == walk.t("Messages")
    # The A/B test first: two variants, half and half, to everyone at once, no holdout.
    page.locator("#ab-test > summary").click()
    page.locator("#id_variants").select_option("2")
    page.locator("#id_weight_a").fill("50")
    page.locator("#id_weight_b").fill("50")
    page.locator("#id_holdout_percent").fill("0")
    page.locator("#id_test_percent").fill("0")
    page.locator("#id_winner_metric").select_option("ctr")
    walk.fits()
    walk.shot("wizard-ab-test")
    page.locator("#ab-save").click()
    expect(page.locator(".flash")).to_have_text(walk.t("A/B test and holdout saved."))
    # One tab per channel × language × variant, each written and saved.
    tabs = page.get_by_role("tab")
    assert tabs.count() == 4 * 2 * 2, tabs.all_inner_texts()
    for code in ("push", "inbox", "whatsapp", "email"):
        for locale in ("es-MX", "en"):
            for variant, messages in VARIANTS.items():
                label = rf"^{walk.channel(code)} · {locale} · {variant}"
                page.get_by_role("tab", name=re.compile(label)).click()
                page.locator(f"input[name=variant][value={variant}]").wait_for(state="attached")
                page.locator(f"input[name=channel][value={code}]").wait_for(state="attached")
                for field_name, value in messages[code][locale].items():
                    page.locator(f"#f-{field_name}").fill(value)
                page.get_by_role("button", name=walk.t("Save draft")).click()
                page.get_by_role("tab", name=re.compile(rf"{label} ✓")).wait_for()
    page.get_by_role("tab", name=re.compile(rf"^{walk.channel('whatsapp')} · en · B")).click()
    page.get_by_role("button", name=walk.t("Preview")).click()
    page.locator("#preview").get_by_text("the December mission is open!").wait_for()
    walk.fits()
    walk.shot("wizard-messages")

    steps.get_by_role("link", name=walk.t("Schedule")).click()
    page.locator("input[name=mode][value=now]").check()
    page.get_by_role("button", name=walk.t("Next")).click()
    assert steps.locator("[aria-current=step]").inner_text() == walk.t("Review")
    assert page.get_by_test_id("review-channels").inner_text() == ", ".join(
        walk.channel(code) for code in ("email", "inbox", "push", "whatsapp")
    )
    for code, number in reachable.items():
        assert page.get_by_test_id(f"reachable-{code}").inner_text() == str(number), code
    ab_test = page.locator("#review-ab-test")
    expect(ab_test).to_contain_text(f"{walk.t('Variants')}: A 50 · B 50")
    expect(ab_test).to_contain_text(walk.t("no holdout"))
    walk.fits()
    walk.shot("wizard-review")
    walk.campaign = Campaign.objects.get(name=name)


def reachable_now(walk: Walk, people: list[Person]) -> dict[str, int]:
    """How many of `people` each channel reaches: all by email and inbox, those with a phone
    by WhatsApp (all wrote to us, so all are in the window), those with the app by push."""
    return {
        "email": len(people),
        "whatsapp": len([person for person in people if person is not BAD_PHONE]),
        "push": len([person for person in people if person in walk.with_device]),
        "inbox": len(people),
    }


def launch_confirmed(walk: Walk, campaign: Campaign, to_send: dict[str, int]) -> None:
    """From the review: "Launch…" opens the confirmation, which counts per channel what will
    be sent; its "Launch" starts the campaign."""
    page = walk.page
    page.get_by_role("link", name=walk.t("Launch…")).click()
    confirm = page.locator("#launch-confirm")
    expect(confirm.get_by_role("heading", level=2)).to_have_text(walk.t("Confirm the launch"))
    for code, number in to_send.items():
        assert page.get_by_test_id(f"launch-{code}-to-send").inner_text() == str(number), code
        assert page.get_by_test_id(f"launch-{code}-holdout").inner_text() == "0", code
    walk.fits()
    walk.shot("launch-confirmation")
    confirm.get_by_role("button", name=walk.t("Launch")).click()
    page.wait_for_url(f"**/campaigns/{campaign.pk}/")


def step_launch_and_watch(walk: Walk) -> None:
    """Launch through the confirmation, then watch the campaign page without touching it: the
    progress box follows the worker, and the page settles on "Sent" with the counts and the
    rates per channel."""
    page = walk.page
    launch_confirmed(walk, walk.launched, reachable_now(walk, walk.audience))
    assert page.locator(".flash").inner_text() == walk.t("Campaign started.")
    status = page.locator(".page-head .status")
    assert status.inner_text() == walk.t("Sending")  # WhatsApp is throttled (2/s)
    walk.shot("sending")
    started = time.monotonic()
    status.filter(has_text=re.compile(rf"^{walk.t('Sent')}$")).wait_for(timeout=60_000)
    walk.timings["send"] = time.monotonic() - started

    total = len(walk.audience) * 3 - 1 + len(walk.with_device)  # email, inbox, whatsapp, push
    progress = page.locator("#progress .progress-text").inner_text()
    assert progress == walk.t("progress").format(sent=total), progress
    assert page.get_by_test_id("progress").get_attribute("value") == str(total)
    summary = page.locator(
        "section.card", has=page.get_by_role("heading", name=walk.t("Opens and clicks"))
    )
    expected_sent = reachable_now(walk, walk.audience)
    for code, number in expected_sent.items():
        row = summary.locator(
            "tbody tr", has=page.get_by_role("cell", name=walk.channel(code), exact=True)
        )
        cells = row.locator("td").all_inner_texts()
        assert cells[1] == str(number), (code, cells)
        # Nobody has opened or clicked yet (the fakes send no events in this walk).
        assert cells[2:4] == ["0.0 %", "0.0 %"], (code, cells)
    assert page.get_by_text(walk.t("No deliveries.")).count() == 0
    assert page.locator("tr[data-delivery]").count() > 0
    walk.fits()
    walk.shot("finished")


def step_providers_received(walk: Walk) -> None:
    """Each provider got one message per reachable creator, rendered in the creator's
    language and A/B variant (the inbox, Altavoz's own channel, holds its messages in the
    database)."""
    fakes = walk.stack.fakes
    by_phone = {p.stored_phone: p for p in walk.audience if p is not BAD_PHONE}
    by_email = {person.email: person for person in walk.audience}
    by_token = {f"walk-{person.stored_handle}": person for person in walk.with_device}
    by_handle = {person.stored_handle: person for person in walk.audience}
    # Which variant fan-out gave each creator (split by a hash: half and half on average).
    variant_of = {
        (handle, channel): variant
        for handle, channel, variant in Delivery.objects.filter(campaign=walk.launched).values_list(
            "creator__handle", "channel", "variant"
        )
    }
    assert set(variant_of.values()) <= {"A", "B"}, variant_of

    def expected(person: Person, channel: str, field_name: str) -> str:
        return rendered(person, channel, field_name, variant_of[person.stored_handle, channel])

    whatsapp = {
        sent["request"]["To"].removeprefix("whatsapp:"): sent["request"]["Body"]
        for sent in fakes.received("twilio", accepted=True)
    }
    assert set(whatsapp) == set(by_phone)
    for number, body in whatsapp.items():
        assert body == expected(by_phone[number], "whatsapp", "body"), (number, body)

    subjects = email_subjects(walk)
    assert set(subjects) == set(by_email)
    for address, subject in subjects.items():
        assert subject == expected(by_email[address], "email", "subject"), (address, subject)

    pushes = {
        sent["request"]["message"]["token"]: sent["request"]["message"]["notification"]
        for sent in fakes.received("fcm", accepted=True)
    }
    assert set(pushes) == set(by_token)
    for token, notification in pushes.items():
        person = by_token[token]
        assert notification["title"] == expected(person, "push", "title"), notification
        assert notification["body"] == expected(person, "push", "body"), notification

    inbox = InboxMessage.objects.filter(delivery__campaign=walk.launched).select_related("creator")
    assert {message.creator.handle for message in inbox} == set(by_handle)
    for message in inbox:
        person = by_handle[message.creator.handle]
        assert (message.title, message.body) == (
            expected(person, "inbox", "title"),
            expected(person, "inbox", "body"),
        )
    languages = {person.locale for person in walk.audience}
    assert languages == {"es-MX", "en"}, "the walk must reach both languages"


def email_subjects(walk: Walk) -> dict[str, str]:
    """Each address SendGrid was asked to mail, with the subject it got last."""
    subjects = {}
    for sent in walk.stack.fakes.received("sendgrid", accepted=True):
        for personalization in sent["request"]["personalizations"]:
            subjects[personalization["to"][0]["email"]] = personalization.get(
                "subject", sent["request"].get("subject")
            )
    return subjects


def email_html(walk: Walk, person: Person) -> str:
    """The HTML of the campaign email SendGrid was asked to send `person` (each has its own:
    its tracked links and open pixel are the delivery's)."""
    for sent in walk.stack.fakes.received("sendgrid", accepted=True):
        addresses = [p["to"][0]["email"] for p in sent["request"]["personalizations"]]
        if person.email in addresses:
            assert len(addresses) == 1, "a personal email shares no request"
            return next(
                part["value"] for part in sent["request"]["content"] if part["type"] == "text/html"
            )
    raise AssertionError(f"no email to {person.email}")


def rendered(person: Person, channel: str, field_name: str, variant: str = "A") -> str:
    """The walk's message for `person`'s language and variant, as Altavoz renders it."""
    template = VARIANTS[variant][channel][person.locale][field_name]
    return template.replace("{{ creator.first_name }}", person.name.split()[0])


def world_creators_engage(walk: Walk) -> None:
    """Outside Altavoz, not an ops step: on their phones, two creators open the email and tap
    its link (one in each language), one opens it and taps nothing; the rest do not open it.
    The phone loads the email's images (the open pixel) and follows the tracked link, as a
    mail app does, a few seconds after it arrived (sooner is a link scanner's click)."""
    walk.clicked = [walk.audience[0], walk.audience[2]]
    walk.opened = [walk.audience[1]]
    assert {person.locale for person in walk.clicked} == {"es-MX", "en"}
    sent_at = Delivery.objects.filter(campaign=walk.launched, channel="email").aggregate(
        last=Max("sent_at")
    )["last"]
    assert sent_at is not None
    from django.conf import settings

    wait = settings.TRACKING_BOT_CLICK_SECONDS + 0.5 - (timezone.now() - sent_at).total_seconds()
    if wait > 0:
        time.sleep(wait)
    browser = walk.page.context.browser
    assert browser is not None
    for person in (*walk.clicked, *walk.opened):
        phone = browser.new_context(
            user_agent=PHONE_AGENT,
            viewport=VIEWPORTS[390],
            locale=BROWSER_LOCALE[person.locale],
            timezone_id="America/Mexico_City",
        )
        phone.route(
            f"{LINK}**",
            lambda route: route.fulfill(body="<h1>Tienda</h1>", content_type="text/html"),
        )
        try:
            mail = phone.new_page()
            with mail.expect_response(re.compile(r"/t/o/[^/]+\.gif$")) as pixel:
                mail.set_content(email_html(walk, person))
            assert pixel.value.status == 200
            if person in walk.clicked:
                mail.get_by_role(
                    "link", name=("únete aquí", "join here")[person.locale == "en"]
                ).click()
                mail.wait_for_url(f"{LINK}**")
        finally:
            phone.close()


def step_follow_up_non_openers(walk: Walk) -> None:
    """Campaign page → Retarget → the stats page counts the opens and clicks; "Follow up" on
    "Did not open" drafts a campaign to a list of exactly the non-openers, with the same
    channels and messages. The email's subject becomes a reminder; launched through the
    confirmation, it reaches the non-openers and nobody else."""
    page = walk.page
    page.get_by_role("link", name=walk.t("Retarget"), exact=True).click()
    page.wait_for_url(f"**/stats/campaigns/{walk.launched.pk}/**")
    funnel = page.locator("#funnel tr[data-channel=email]")
    assert funnel.locator("[data-figure=unique_opens]").inner_text() == str(
        len(walk.clicked) + len(walk.opened)
    )
    assert funnel.locator("[data-figure=unique_clicks]").inner_text() == str(len(walk.clicked))
    variants = page.locator("#variants tbody tr").evaluate_all(
        "(rows) => rows.map((row) => row.dataset.variant)"
    )
    assert variants == ["A", "B"], variants
    not_opened = page.locator("#retarget tr[data-choice=not_opened]")
    assert not_opened.locator("td").first.inner_text() == walk.t("Did not open")
    page.locator("#retarget").scroll_into_view_if_needed()
    walk.fits()
    walk.shot("stats-retarget")
    not_opened.get_by_role("button", name=walk.t("Follow up")).click()
    page.wait_for_url("**/campaigns/*/audience/")

    name = f"{walk.t('Follow-up:')} {CAMPAIGN[walk.language]}"
    follow_up = Campaign.objects.get(name=name)
    assert page.locator("h1").inner_text() == name
    counts = page.locator("#audience-counts")
    counts.get_by_text(f"{len(walk.not_opened)} {walk.t('creators in the segment')}").wait_for()
    reachable = reachable_now(walk, walk.not_opened)
    for code, number in reachable.items():
        assert page.get_by_test_id(f"reachable-{code}").inner_text() == str(number), code
        assert page.get_by_label(walk.channel(code), exact=True).is_checked(), code
    walk.fits()
    walk.shot("follow-up-audience")
    page.get_by_role("button", name=walk.t("Next")).click()

    steps = page.get_by_role("navigation", name=walk.t("Steps"))
    assert steps.locator("[aria-current=step]").inner_text() == walk.t("Messages")
    saved = page.get_by_role("tab", name=re.compile(r" ✓$"))
    assert saved.count() == 4 * 2, "the follow-up starts from the campaign's messages"
    for locale in ("es-MX", "en"):
        label = rf"^{walk.channel('email')} · {locale}"
        page.get_by_role("tab", name=re.compile(label)).click()
        page.locator(f"input[name=locale][value={locale}]").wait_for(state="attached")
        page.locator("input[name=channel][value=email]").wait_for(state="attached")
        assert page.locator("#f-subject").input_value() == MESSAGES["email"][locale]["subject"]
        page.locator("#f-subject").fill(REMINDER[locale])
        page.get_by_role("button", name=walk.t("Save draft")).click()
        page.get_by_role("tab", name=re.compile(rf"{label} ✓")).wait_for()
    walk.fits()
    walk.shot("follow-up-messages")
    steps.get_by_role("link", name=walk.t("Schedule")).click()
    page.locator("input[name=mode][value=now]").check()
    page.get_by_role("button", name=walk.t("Next")).click()
    assert steps.locator("[aria-current=step]").inner_text() == walk.t("Review")

    launch_confirmed(walk, follow_up, reachable)
    status = page.locator(".page-head .status")
    status.filter(has_text=re.compile(rf"^{walk.t('Sent')}$")).wait_for(timeout=60_000)
    walk.fits()
    walk.shot("follow-up-sent")

    # Exactly the non-openers, on every channel that reaches them; the reminder by email.
    handles = {person.stored_handle for person in walk.not_opened}
    delivered = Delivery.objects.filter(campaign=follow_up).values_list(
        "creator__handle", "channel", "status"
    )
    assert {handle for handle, _channel, _status in delivered} == handles
    assert {status for _handle, _channel, status in delivered} == {"sent"}
    reminded = {
        address: subject
        for address, subject in email_subjects(walk).items()
        if subject.startswith(("Recordatorio", "Reminder"))
    }
    by_email = {person.email: person for person in walk.not_opened}
    assert set(reminded) == set(by_email)
    for address, subject in reminded.items():
        person = by_email[address]
        first_name = person.name.split()[0]
        assert subject == REMINDER[person.locale].replace("{{ creator.first_name }}", first_name)


def step_export_who_clicked(walk: Walk) -> None:
    """Campaigns → the campaign → export the deliveries of who clicked: the CSV the browser
    downloads lists exactly the creators who tapped the link."""
    page = walk.page
    walk.menu_open(walk.t("Campaigns"))
    page.get_by_role("link", name=CAMPAIGN[walk.language], exact=True).click()
    page.wait_for_url(f"**/campaigns/{walk.launched.pk}/")
    page.locator("#export-outcome").select_option("clicked")
    assert page.locator("#export-outcome option:checked").inner_text() == walk.t("Clicked")
    page.locator("#export-deliveries").scroll_into_view_if_needed()
    walk.fits()
    walk.shot("export-clicked")
    with page.expect_download() as download:
        page.get_by_role("button", name=walk.t("Download CSV")).click()
    path = download.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert {row["creator"] for row in rows} == {p.stored_handle for p in walk.clicked}, rows
    assert all(row["clicked_at"] for row in rows), rows


STEPS: tuple[Callable[[Walk], None], ...] = (
    step_sign_in,
    step_import,
    world_creators_reach_out,
    step_segment,
    step_pasted_list,
    step_campaign_wizard,
    step_launch_and_watch,
    step_providers_received,
    world_creators_engage,
    step_follow_up_non_openers,
    step_export_who_clicked,
)


# --- the test ---------------------------------------------------------------------------------


@pytest.fixture
def walk_page(browser, live_server, roles, language, width, request) -> Iterator[Page]:
    """A browser context in the walk's language and size, its screenshots in
    var/artifacts/ops-walk/<language>-<width>/ (emptied first), a last one on failure."""
    with browser_page_open(
        browser,
        request,
        base_url=live_server.url,
        directory=ARTIFACTS / f"{language}-{width}",
        viewport=VIEWPORTS[width],
        locale=BROWSER_LOCALE[language],
    ) as page:
        yield page


@pytest.mark.parametrize("width", [1440, 390])
@pytest.mark.parametrize("language", ["es-MX", "en"])
def test_ops_person_does_the_whole_job_in_the_browser(
    walk_page, live_stack, language, width, tmp_path
):
    creators_make(10)  # creators already on file, outside the walk's segment
    # Two WhatsApp messages a second: the send lasts a few seconds, long enough to watch.
    live_stack.worker_start(PROVIDER_RATE_LIMITS="twilio=2,sendgrid=0,fcm=0,smtp=0,inbox=0")
    walk = Walk(walk_page, live_stack, language, width, tmp_path)
    started = time.monotonic()
    for step in STEPS:
        step_started = time.monotonic()
        step(walk)
        walk.timings[step.__name__] = time.monotonic() - step_started
    walk.timings["total"] = time.monotonic() - started
    print({name: round(seconds, 1) for name, seconds in walk.timings.items()})
