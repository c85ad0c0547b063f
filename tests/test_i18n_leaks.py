"""No page shows a string in the other language or a raw code, runtime messages included.

Every ops page of the URL conf is rendered with demo data, in es-MX first (templates are then
compiled, so a string translated at compile time would stick) and in English; so are the
portal as ops preview it (per demo creator and portal page) and the links people open signed
out (an invitation, a program's enrolment link: valid, forged, and the enrolment posted). The
creator portal is read by its creators, one in es-MX and one in en, signed in by their links
and with browsers asking for the other language, and signed out (forged, expired and
turned-off links, the unsubscribe page, the portal without a session); the agency portal and
the pages it shares with ops by the agency's member, who switches language as ops do. The
text a person reads (text nodes, titles, labels, placeholders) is checked against the Spanish
catalogue, each part in the language the page marks it as (`lang`: a preview is in the
creator's language under a banner in the reader's): in es-MX, no English msgid that has a
different translation; in English, no Spanish translation; in both, no raw code such as
`campaign.sending` or `in_review`. A URL is left unread only as an action (a GET answers 405)
or a download, and the test fails on any other answer than the page. The worker's part runs
under es-MX, as a worker does. Then every message the system stores as a code
(common/system_messages.py) must read differently in the two languages.

Failures list the exact strings per page: new strings need the lead's translations
(locale/es_MX/LC_MESSAGES/django.po, then `scripts/messages-update`) before this passes.
Run: `.venv/bin/pytest tests/test_i18n_leaks.py -q`.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "es_MX" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
# Not pages a person reads (or not in a language a person chose): the creator portal and the
# agency portal are read below by the people they are for.
SKIPPED_PREFIXES = (
    "admin/",
    "api/",
    "i18n/",
    "hooks/",
    "t/",
    "healthz",
    "metrics",  # Prometheus text, for a bearer token
    "accounts/logout",
)


# --- The catalogue ------------------------------------------------------------------------------


def _unquote(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def catalogue_pairs() -> list[tuple[str, str]]:
    """(English, Spanish) for every translated entry, plural forms included."""
    pairs = []
    for block in re.split(r"\n\s*\n", CATALOGUE.read_text()):
        if block.lstrip().startswith("#~"):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?)\s+"(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        fields = {key: _unquote(value) for key, value in fields.items()}
        if not fields.get("msgid"):
            continue
        if "msgid_plural" in fields:
            pairs.append((fields["msgid"], fields.get("msgstr[0]", "")))
            pairs.append((fields["msgid_plural"], fields.get("msgstr[1]", "")))
        else:
            pairs.append((fields["msgid"], fields.get("msgstr", "")))
    return [(en, es) for en, es in pairs if es and en != es and re.search(r"[A-Za-zÁ-ú]", en)]


class Catalogue:
    """What counts as English and as Spanish, for whole text nodes and within them."""

    def __init__(self) -> None:
        pairs = catalogue_pairs()
        self.english = {en for en, _es in pairs}
        self.spanish = {es for _en, es in pairs}
        # Strings that read the same in both somewhere are no evidence of either.
        both = self.english & self.spanish
        self.english -= both
        self.spanish -= both
        self.english_patterns = self._patterns(self.english)
        self.spanish_patterns = self._patterns(self.spanish)
        # Longer fixed strings are looked for inside text too (a note within a history line),
        # unless they also occur inside a string of the other language.
        self.english_phrases = self._phrases(self.english, self.spanish)
        self.spanish_phrases = self._phrases(self.spanish, self.english)

    @staticmethod
    def _patterns(strings: set[str]) -> re.Pattern[str]:
        parts = []
        for text in strings:
            if not PLACEHOLDER.search(text):
                continue
            literal = PLACEHOLDER.split(text)
            if sum(len(piece.strip()) for piece in literal) < 6:
                continue  # "%(n)s %(unit)s": says nothing about a language
            parts.append(".+?".join(re.escape(piece) for piece in literal))
        return re.compile("^(?:" + "|".join(sorted(parts)) + ")$", re.S)

    @staticmethod
    def _phrases(strings: set[str], other: set[str]) -> list[str]:
        other_text = "\n".join(other)
        return sorted(
            text
            for text in strings
            if not PLACEHOLDER.search(text)
            and len(text.split()) >= 3
            and "\n" not in text
            and text not in other_text
        )

    def own(self, text: str, language: str) -> bool:
        """Whether `text` is a whole string of `language`'s side of the catalogue."""
        return text in (self.english if language == "en" else self.spanish)

    def foreign(self, nodes: list[str], *, language: str) -> list[str]:
        """The nodes (or the phrases within them) that belong to the other language."""
        if language == "en":
            whole, own, patterns, phrases = (
                self.spanish,
                self.english,
                self.spanish_patterns,
                self.spanish_phrases,
            )
        else:
            whole, own, patterns, phrases = (
                self.english,
                self.spanish,
                self.english_patterns,
                self.english_phrases,
            )
        found = []
        for node in nodes:
            if node in own:
                continue
            if node in whole or patterns.match(node):
                found.append(node)
        text = "\n".join(nodes)
        for phrase in phrases:
            if phrase in text and phrase not in found:
                if re.search(r"(?<![\wÁ-ú])" + re.escape(phrase) + r"(?![\wÁ-ú])", text):
                    found.append(phrase)
        # A phrase found only as part of a longer string that was found says nothing more.
        return sorted(
            {text for text in found if not any(text != other and text in other for other in found)}
        )


def language_of(code: str) -> str:
    """The catalogue's side a `lang` value belongs to: "en" or "es-mx"."""
    code = code.strip().lower()
    return "en" if code.startswith("en") else "es-mx" if code.startswith("es") else code


class _Text(HTMLParser):
    """The text a person reads or hears (text nodes and the attributes read aloud), each with
    the language the page says it is written in: the nearest `lang` around it."""

    SKIP = {"script", "style", "code", "pre", "textarea", "template"}
    READ = ("title", "aria-label", "placeholder", "alt")
    VOID = {"input", "img", "br", "hr", "meta", "link", "source", "wbr", "col", "area"}

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[tuple[str, str]] = []
        self._skipping: list[str] = []
        self._languages: list[tuple[str, str]] = [("", language_of(language))]

    def _add(self, text: str, language: str) -> None:
        text = " ".join(text.split())
        if text:
            self.nodes.append((language, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.VOID and self._skipping:
            return
        if self._skipping or tag in self.SKIP:  # code is not the UI's words
            if tag not in self.VOID:
                self._skipping.append(tag)
            return
        marked = values.get("lang")
        language = language_of(marked) if marked else self._languages[-1][1]
        if marked and tag not in self.VOID:
            self._languages.append((tag, language))
        for name in self.READ:
            if values.get(name):
                self._add(str(values[name]), language)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self._add(str(values["value"]), language)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipping:  # close up to the matching tag
            while self._skipping and self._skipping.pop() != tag:
                pass
        elif any(open_tag == tag for open_tag, _language in self._languages[1:]):
            while self._languages[-1][0] != tag:
                self._languages.pop()
            self._languages.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._add(data, self._languages[-1][1])


def page_text(html: str, *, language: str) -> dict[str, list[str]]:
    """The page's text by the language it is marked as (`lang`; `language` where nothing is):
    an ops page is all in its reader's language but for the language switch's own names, a
    portal preview is in the creator's but for its banner."""
    parser = _Text(language)
    parser.feed(html)
    parser.close()
    texts: dict[str, list[str]] = {}
    for node_language, text in parser.nodes:
        texts.setdefault(node_language, []).append(text)
    return texts


def known_codes() -> set[str]:
    """Codes a page must never show as they are: every choice value whose label says
    something else (`in_review`, `sending`), and `<model>.<value>` (audit actions)."""
    from django.apps import apps

    codes: set[str] = set()
    models = {model._meta.model_name for model in apps.get_models()}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or ():
                if not isinstance(value, str) or not value or isinstance(label, list | tuple):
                    continue
                codes |= {f"{name}.{value}" for name in models}
                if value.lower() != str(label).lower() or "_" in value:
                    codes.add(value)
    return codes


def raw_codes(nodes: list[str], codes: set[str]) -> list[str]:
    return sorted({node for node in nodes if node in codes})


def page_leaks(
    html: str, *, language: str, catalogue: Catalogue, codes: set[str]
) -> dict[str, list[str]]:
    """What a page read in `language` shows that it must not, by kind: in each part, the
    strings of the other language than the one it is marked as; raw codes; and, if it has
    text but none in the reader's language, the languages it is in instead."""
    texts = page_text(html, language=language)
    reader = language_of(language)
    found: dict[str, list[str]] = {}
    for part, nodes in sorted(texts.items()):
        foreign = catalogue.foreign(nodes, language=part)
        if foreign:
            found["other language" if part == reader else f"other language in its {part} part"] = (
                foreign
            )
    # A word of the part's own language that is also a code ("opened") is that word.
    codes_shown = raw_codes(
        [node for part, nodes in texts.items() for node in nodes if not catalogue.own(node, part)],
        codes,
    )
    if codes_shown:
        found["raw codes"] = codes_shown
    if texts and reader not in texts:
        found["nothing in the reader's language, only"] = sorted(texts)
    return found


# --- Demo data and the pages --------------------------------------------------------------------


def demo_data_make() -> dict[str, int]:
    """Demo creators, segments and conversations (seed_demo's own modules), and what the
    URL conf's pages are about: a finished and a draft campaign, a program, a lesson and a
    path, an agency brief, a playbook, a snippet, a finished import with a refused row and a
    warning, creators whose portal ops preview (one per language with a message of the
    finished campaign in their inbox, one with an empty inbox). The worker's part runs in
    es-MX, as on a server."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agencies import services as agency_services
    from agencies.models import Deliverable, Notification
    from campaigns import dispatch, fanout, reconcile, runs, sequences, services
    from campaigns.models import Campaign, Delivery
    from campaigns.snippets import snippet_save
    from conversations.canned_defaults import canned_answers_seed
    from conversations.demo import conversations_demo_create
    from conversations.models import Conversation
    from creators.demo import creators_seed_demo
    from creators.import_jobs import import_job_run
    from creators.models import Creator, Locale
    from creators.services import import_job_create
    from education.models import ContentItem
    from markets.proposals import proposal_save
    from programs import readiness
    from segments.demo import segments_demo_create
    from tests.creators.csvfiles import creator_row, csv_bytes
    from tests.support.factories import (
        agency_make,
        agency_user_make,
        campaign_make,
        inbox_message_make,
        lesson_make,
        path_make,
        playbook_make,
        program_make,
        user_make,
    )

    creators_seed_demo(count=40, seed=7)
    segments_demo_create()
    conversations_demo_create()
    canned_answers_seed()
    manager = user_make("leak-manager", role="manager")
    with translation.override(settings.LANGUAGE_CODE):  # the worker's language
        with override_settings(REQUIRE_APPROVAL=True):  # approved by launching it: a note
            sent = services.campaign_launch(
                campaign=campaign_make(name="Reto de diciembre", channels=("whatsapp", "email")),
                actor=manager,
            )
        fanout.deliveries_create(campaign=sent, run=sent.last_run)
        Delivery.objects.filter(campaign=sent).update(status=Delivery.Status.SENT)
        # Notes the system writes on deliveries: a lost worker's, an adapter's reason.
        rows = Delivery.objects.filter(campaign=sent).order_by("pk")
        lost, unverifiable = rows.filter(channel="whatsapp")[0], rows.filter(channel="email")[0]
        Delivery.objects.filter(pk=lost.pk).update(
            status=Delivery.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
        )
        dispatch.deliveries_mark_lost()
        Delivery.objects.filter(pk=unverifiable.pk).update(
            status=Delivery.Status.UNKNOWN, updated_at=timezone.now() - timedelta(days=1)
        )
        Delivery.objects.filter(pk=rows.filter(channel="whatsapp")[1].pk).update(
            status=Delivery.Status.FAILED,  # the provider's own words, shown as the provider's
            error_code="63016",
            error_message="Failed to send freeform message because you are outside the window.",
        )
        with override_settings(EMAIL_PROVIDER="smtp"):
            reconcile.deliveries_reconcile()
        runs.campaign_finish_if_done(campaign_id=sent.pk)
    assert Campaign.objects.get(pk=sent.pk).status == Campaign.Status.SENT
    spanish = list(Creator.objects.filter(locale=Locale.ES_MX).order_by("pk")[:2])
    english = Creator.objects.filter(locale=Locale.EN).order_by("pk").first()
    assert len(spanish) == 2 and english is not None
    inbox_message_make(spanish[0], "Tu reto de diciembre empieza hoy", campaign=sent)
    inbox_message_make(english, "Your December challenge starts today", campaign=sent)
    draft = campaign_make(name="Borrador de enero")
    program = program_make(name="Misión diciembre")
    with translation.override(settings.LANGUAGE_CODE):  # the failing items' labels are kept
        readiness.readiness_override(
            campaign=program.campaign, reason="Las páginas se publican mañana.", actor=manager
        )
    lesson = lesson_make("buena-luz")
    draft_lesson = lesson_make("en-revision", publish=False)
    path = path_make("curso-video", [lesson])
    agency = agency_make("Estudio Norte")
    brief = agency_services.brief_create(
        actor=manager,
        agency=agency,
        title="Cómo vender en vivo",
        objective="Explicar la venta en vivo.",
        key_messages="La venta en vivo funciona",
        language="es-MX",
        final_due=timezone.now().date() + timedelta(days=14),
        campaign=None,
        checklist=["Cumple los mensajes clave"],
        deliverables=[
            {
                "kind": Deliverable.Kind.SCRIPT,
                "title": "Guion de Navidad",
                "due_date": timezone.now().date() + timedelta(days=14),
            }
        ],
    )
    deliverable = Deliverable.objects.filter(brief=brief).first()
    playbook = playbook_make()
    proposal = proposal_save(
        proposal=None,
        actor=manager,
        evidence_playbooks=[playbook],
        title="Recordatorio por WhatsApp",
        problem="Pocas creadoras abren el correo.",
        proposed_change="Enviar el recordatorio por WhatsApp.",
        expected_effect="Más aperturas.",
        measurement="Tasa de apertura.",
    )
    # What the remaining patterns are about: a follow-up step of the sent campaign, a
    # checklist item of the program's campaign, an agency's version with a comment, and the
    # notification its submission sent.
    step = sequences.sequence_step_save(
        campaign=sent,
        channel="push",
        wait_minutes=60 * 24,
        condition="not_opened",
        messages=[{"locale": "es-MX", "title": "¿Lo viste?", "body": "Hoy cierra el reto."}],
        actor=manager,
    )
    item = readiness.manual_item_add(
        campaign=program.campaign, label="Revisar el guion", required=True, actor=manager
    )
    assert deliverable is not None
    version = agency_services.version_submit(
        deliverable=deliverable,
        actor=agency_user_make(agency, "leak-agencia"),
        text="Hola, hoy vendemos en vivo.\nMuestra el producto de cerca.",
        upload=SimpleUploadedFile("guion.pdf", b"%PDF-1.4\n%demo\n", "application/pdf"),
    )
    comment = agency_services.comment_add(
        version=version, actor=manager, body="Más corto, por favor.", line=1
    )
    notification = (
        Notification.objects.order_by("pk").first()
        or (agency_services.notifications_create(users=[manager], text="Nueva versión", url="")[0])
    )
    snippet = snippet_save(
        slug="firma-equipo",
        locale="es-MX",
        body="Un abrazo, el equipo de Altavoz",
        description="Firma de los correos",
        actor=manager,
    )
    import_rows: list[dict[str, str] | bytes] = [
        creator_row("importada_ana", name="Ana Importada"),
        creator_row("importado_beto", name="Beto Importado", phone="12", email=""),
        creator_row("importada_caro", name="Caro Importada", level="9"),
    ]
    upload = SimpleUploadedFile("creadoras-diciembre.csv", csv_bytes(import_rows), "text/csv")
    import_job = import_job_create(file=upload, actor=manager)
    with translation.override(settings.LANGUAGE_CODE):
        import_job_run(job=import_job)  # what the worker's task does
    creator = Creator.objects.order_by("pk").first()
    conversation = Conversation.objects.order_by("pk").first()
    assert deliverable is not None and isinstance(draft_lesson, ContentItem)
    assert creator is not None and conversation is not None and sent.segment_id is not None
    return {
        "creator": creator.pk,
        "segment": sent.segment_id,
        "campaign": sent.pk,
        "draft": draft.pk,
        "program": program.pk,
        "lesson": draft_lesson.pk,
        "path": path.pk,
        "brief": brief.pk,
        "deliverable": deliverable.pk,
        "playbook": playbook.pk,
        "proposal": proposal.pk,
        "agency": agency.pk,
        "conversation": conversation.pk,
        "step": step.pk,
        "item": item.pk,
        "version": version.pk,
        "comment": comment.pk,
        "notification": notification.pk,
        "portal_es": spanish[0].pk,
        "portal_en": english.pk,
        "portal_empty": spanish[1].pk,
        "snippet": snippet.pk,
        "import_job": import_job.pk,
    }


def demo_links_make(objects: dict[str, int]) -> dict[str, list[str]]:
    """The links people open without signing in, made by the services that send them: an
    invitation to the team and one to the demo agency (their invitees are added to
    `objects`), and the program's enrolment link for a creator. Returns, by URL name, the
    tokens that fill those links."""
    from urllib.parse import urlsplit

    from django.contrib.auth import get_user_model
    from django.urls import resolve

    from accounts import services as account_services
    from accounts.roles import Role
    from agencies import services as agency_services
    from agencies.models import Agency
    from programs.enrol_links import program_enrol_url

    manager = get_user_model().objects.get(username="leak-manager")
    invited, team_path = account_services.user_invite(
        actor=manager, email="nueva.editora@example.mx", role=Role.EDITOR
    )
    member, agency_path = agency_services.agency_member_invite(
        actor=manager, agency=Agency.objects.get(pk=objects["agency"]), email="guion@example.mx"
    )
    objects["team_invitee"], objects["agency_invitee"] = invited.pk, member.pk
    join_url = program_enrol_url(program_id=objects["program"], creator_id=objects["portal_es"])

    def token(url: str) -> str:
        return resolve(urlsplit(url).path).kwargs["token"]

    return {
        "invitation-accept": [token(team_path), token(agency_path)],
        "program-join": [token(join_url)],
    }


def demo_people_make(objects: dict[str, int]) -> dict[str, dict[str, str]]:
    """The portal's readers, by the language they read: the demo portal creator in es-MX and
    the one in en (each with a message of the finished campaign in the inbox), each with a
    delivery whose links sign in (`p/`, `me/preferences/`) and unsubscribe (`u/`), a lesson
    half read and a path; the agency's member (`leak-agencia`) reads the agency portal in
    both, as ops do, after a review round: changes requested on the demo version (the
    member is notified) and a second version sent, so a diff shows."""
    from django.contrib.auth import get_user_model

    from agencies import services as agency_services
    from agencies.models import DeliverableVersion, Review
    from channels.models import InboxMessage
    from creators.models import Creator
    from creators.services import creator_portal_revoke
    from education import services as education_services
    from education.models import ContentItem
    from portal.forms import PreferencesForm
    from tests.support.factories import creator_make, delivery_make
    from tracking.tokens import portal_token_make, unsubscribe_token_make

    lesson = ContentItem.objects.get(slug="buena-luz")
    people = {}
    for language, key in (("es-mx", "portal_es"), ("en", "portal_en")):
        creator = Creator.objects.get(pk=objects[key])
        assert language_of(creator.locale) == language, creator.locale
        education_services.progress_report(creator=creator, item=lesson, percent=50)
        delivery = delivery_make(creator)
        people[language] = {
            "creator": str(creator.pk),
            "message": str(InboxMessage.objects.filter(creator=creator).latest("pk").pk),
            "token": portal_token_make(delivery_id=delivery.pk),
            "unsubscribe": unsubscribe_token_make(delivery_id=delivery.pk),
            "lesson": lesson.slug,
            "path": "curso-video",
            "preferences": urlencode(  # the form as it is shown: saving it changes nothing
                [
                    (key, "on" if value is True else str(value)[:5])
                    for key, value in PreferencesForm(creator=creator).initial.items()
                    if value not in (None, False)
                ]
            ),
        }
    users = get_user_model().objects
    version = DeliverableVersion.objects.get(pk=objects["version"])
    agency_services.review_submit(
        version=version,
        actor=users.get(username="leak-manager"),
        decision=Review.Decision.CHANGES,
        summary="Más corto, por favor.",
    )
    agency_services.version_submit(
        deliverable=version.deliverable,
        actor=users.get(username="leak-agencia"),
        text="Hola, hoy vendemos en vivo.\nMuestra el producto.",
        note="Quedó más corto.",
    )
    # The links that no longer sign in, per language (the refusal page speaks the language of
    # the creator the link names): one older than links live, of the reader's own creator, and
    # one made before a creator's links were turned off (in es-MX the demo creator with the
    # empty inbox, in en one made for it).
    turned_off = {
        "es-mx": Creator.objects.get(pk=objects["portal_empty"]),
        "en": creator_make("leak_turned_off", locale="en"),
    }
    for language, person in people.items():
        person["expired"] = portal_token_make(
            delivery_id=delivery_make(Creator.objects.get(pk=person["creator"])).pk,
            issued_at=time.time() - settings.PORTAL_LINK_MAX_AGE - 60,
        )
        person["revoked"] = portal_token_make(
            delivery_id=delivery_make(turned_off[language]).pk, issued_at=time.time() - 60
        )
        creator_portal_revoke(creator=turned_off[language])
    people["es-mx"]["not_mine"] = people["en"]["message"]
    people["en"]["not_mine"] = people["es-mx"]["message"]
    return people


def _portal_page(
    pattern: str,
    name: str,
    language: str,
    reader: str = "creator",
    status: int = 200,
    fill: dict[str, str] | None = None,
    method: str = "get",
    follow: bool = False,
    data: tuple[tuple[str, str], ...] = (),
) -> Page:
    url = pattern
    for kwarg, value in (fill or {}).items():
        url = re.sub(rf"<(?:\w+:)?{kwarg}>", value, url)
    return Page(f"/{url}", name, reader, method, status, language, follow, data)


def portal_pages(pattern: str, name: str, people: dict[str, dict[str, str]]) -> list[Page]:
    """The pages of a creator portal pattern, per creator language. Read by the signed-in
    creator: a sign-in link (`p/`, `me/preferences/`, a lesson's `?t=`) followed to the page
    it lands on, every page, the preferences saved, a message of another creator (the
    not-found page) and the sign-out posted (last). Read without a session: a forged, an
    expired and a turned-off link, the portal itself (401), and the unsubscribe page and its
    button posted, by a "recipient" whose browser and app default are the other language.
    [] if nothing fills the pattern."""
    pages = []
    for language, person in people.items():
        page = functools.partial(_portal_page, pattern, name, language)
        if name in ("portal-magic-link", "portal-preferences-link"):
            pages += [
                page(fill={"token": person["token"]}, follow=True),
                *(
                    page("portal-visitor", 403, fill={"token": token})
                    for token in (FORGED_TOKEN, person["expired"], person["revoked"])
                ),
            ]
        elif name == "portal-unsubscribe":
            pages += [
                page("recipient", fill={"token": person["unsubscribe"]}),
                page(  # the page's button: "You are unsubscribed"
                    "recipient",
                    fill={"token": person["unsubscribe"]},
                    method="post",
                    data=(("List-Unsubscribe", "One-Click"),),
                ),
                page("portal-visitor", 404, fill={"token": FORGED_TOKEN}),
            ]
        elif name == "portal-inbox-message":
            pages += [
                page(fill={"pk": person["message"]}),
                page(status=404, fill={"pk": person["not_mine"]}),  # another creator's
            ]
        elif name == "portal-path":
            pages.append(page(fill={"slug": person["path"]}))
        elif name in ("portal-learn", "portal-learn-progress"):
            pages.append(page(fill={"slug": person["lesson"]}))
            if name == "portal-learn":  # from a message's learn() link: signs in, then the page
                signing_in = page(fill={"slug": person["lesson"]}, follow=True)
                pages.append(
                    dataclasses.replace(signing_in, url=f"{signing_in.url}?t={person['token']}")
                )
        else:
            pages.append(page())
        if name == "portal-inbox":
            pages.append(page("portal-visitor", 401))
        if name == "portal-sign-out":
            pages.append(page(method="post"))
        if name == "portal-preferences":  # saved as they are: "Your preferences were saved."
            pages.append(page(method="post", data=tuple(parse_qsl(person["preferences"]))))
    return [] if any("<" in page.url for page in pages) else pages


# Links opened by someone who is not signed in (an invitee, a creator): read signed out, each
# with its valid tokens, with a forged one (the page a used or forged link shows, a 404) and,
# where the page's form is its point, posted (the creator joins and reads "You're in").
SIGNED_OUT = {"invitation-accept", "program-join"}
FORGED_TOKEN = "forged-link"
POSTED = {"program-join"}
# The agency portal, for an agency's members only, and what they share with ops.
AGENCY_PORTAL = "agency/"
AGENCY_SHARED = ("work/", "notifications/")
# Fragments that answer only to their query (400 without), asked as the page loading them asks.
QUERIES = {"whatsapp-template-picker": "?locale=es-MX"}


@dataclass(frozen=True)
class Page:
    """A URL of the URL conf to read, how, and the answer it must give."""

    url: str
    name: str  # the URL pattern's name
    # Who reads it: "ops" (signed in), "visitor" (not signed in), "agency" (the agency's
    # member), "creator" (signed in to the portal), "portal-visitor" (no portal session; the
    # app's default language is the page's), "recipient" (no session; the default is not).
    reader: str = "ops"
    method: str = "get"
    status: int = 200
    language: str = ""  # the only language it is read in (a creator's), or "" for both
    follow: bool = False  # a sign-in link: read the page it lands on
    data: tuple[tuple[str, str], ...] = ()  # what a posted form sends


def _patterns(patterns, prefix: str = ""):
    """(route, name) of every pattern of the URL conf."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or ""


def ops_pages(
    objects: dict[str, int],
    links: dict[str, list[str]] | None = None,
    people: dict[str, dict[str, str]] | None = None,
) -> tuple[list[Page], list[str]]:
    """(pages to read, patterns left out because no demo object or link fits them). A
    pattern may give several pages: the portal preview of each demo portal creator, each of
    its pages; a link's page for each of its `links` tokens (demo_links_make), forged too.
    With `people` (demo_people_make), the creator portal's pages too (portal_pages) and the
    agency portal's, read by the agency's member, who reads the pages both sides share
    (`work/`, `notifications/`) as well as ops; without, those are no ops pages to read."""
    from portal.middleware import is_portal_path
    from portal.ops import PREVIEW_PAGES

    ids = {
        "creators/": objects["creator"],
        "segments/": objects["segment"],
        "campaigns/": objects["campaign"],
        "stats/": objects["campaign"],
        "education/paths/": objects["path"],
        "education/": objects["lesson"],
        "programs/readiness/": objects["program_campaign"],
        "markets/campaigns/": objects["campaign"],
        "programs/": objects["program"],
        "markets/playbooks/": objects["playbook"],
        "markets/proposals/": objects["proposal"],
        "conversations/": objects["conversation"],
    }
    named = {
        "brief_pk": objects["brief"],
        "deliverable_pk": objects["deliverable"],
        "agency_pk": objects["agency"],
        "step_id": objects["step"],
        "item_pk": objects["item"],
        "version_pk": objects["version"],
        "comment_pk": objects["comment"],
        "notification_pk": objects["notification"],
    }
    invitees = {  # whose user_pk: the invitee of the team or of the agency
        prefix: objects[key]
        for prefix, key in (("team/", "team_invitee"), ("agencies/", "agency_invitee"))
        if key in objects
    }
    by_pattern_name: dict[str, dict[str, list[object]]] = {
        "creator-import-job": {"pk": [objects["import_job"]]},
        "snippet-edit": {"pk": [objects["snippet"]]},
        "creator-portal-preview": {
            "pk": [objects[key] for key in ("portal_es", "portal_en", "portal_empty")],
            "page": list(PREVIEW_PAGES),
        },
    }
    for name, tokens in (links or {}).items():
        by_pattern_name[name] = {"token": [*tokens, FORGED_TOKEN]}
    pages, left_out = [], []
    for pattern, name in _patterns(get_resolver().url_patterns):
        if pattern.startswith(SKIPPED_PREFIXES):
            continue
        if is_portal_path(f"/{pattern}") or pattern.startswith(AGENCY_PORTAL):
            if people is None:
                continue
            if is_portal_path(f"/{pattern}"):
                portal = portal_pages(pattern, name, people)
                pages += portal
                if not portal:
                    left_out.append(pattern)
                continue
        options: list[list[tuple[str, object]]] = []
        for converter, kwarg in re.findall(r"<(?:(\w+):)?(\w+)>", pattern):
            values = by_pattern_name.get(name, {}).get(kwarg)
            by_prefix = {"pk": ids, "campaign_pk": ids, "user_pk": invitees}.get(kwarg, {})
            value = named.get(kwarg) or next(
                (v for p, v in by_prefix.items() if pattern.startswith(p)), None
            )
            values = values or ([value] if value is not None else [])
            if not values:
                break
            token = f"<{converter}:{kwarg}>" if converter else f"<{kwarg}>"
            options.append([(token, choice) for choice in values])
        else:
            for filling in itertools.product(*options):
                url = pattern
                for token, choice in filling:
                    url = url.replace(token, str(choice))
                forged = FORGED_TOKEN in url
                page = Page(
                    f"/{url}{QUERIES.get(name, '')}",
                    name,
                    reader="visitor" if name in SIGNED_OUT else "ops",
                    status=404 if forged else 200,
                )
                if people is not None and pattern.startswith((AGENCY_PORTAL, *AGENCY_SHARED)):
                    pages.append(dataclasses.replace(page, reader="agency"))
                if not pattern.startswith(AGENCY_PORTAL):
                    pages.append(page)
                if name in POSTED and not forged:
                    pages.append(dataclasses.replace(page, method="post"))
            continue
        left_out.append(pattern)
    return pages, left_out


def ops_urls(
    objects: dict[str, int], links: dict[str, list[str]] | None = None
) -> tuple[list[str], list[str]]:
    """(URLs a bare GET reads, patterns left out because no demo object fits them)."""
    pages, left_out = ops_pages(objects, links)
    return [page.url for page in pages if page.method == "get" and page.reader == "ops"], left_out


def not_a_page(response: HttpResponse) -> str:
    """Why an answer is not a page to read, or "" if it is one: an action answers a GET with
    405 (its `Allow` says what it takes), a download is not HTML."""
    if response.status_code == 405:
        return f"an action: {response.get('Allow', '')} only"
    content_type = response.get("Content-Type", "")
    if "html" not in content_type:
        return f"not a page: {content_type}"
    return ""


@pytest.mark.django_db(transaction=False)
def test_no_page_shows_the_other_language_or_a_raw_code(client, settings, tmp_path):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from agencies.services import notifications_create
    from common.system_messages import SystemMessage
    from portal.ops import PREVIEW_PAGES
    from portal.session import CREATOR_KEY
    from programs.models import Program

    settings.LINK_CHECK_TIMEOUT = 0.5
    settings.AGENCY_FILES_DIR = tmp_path / "agency-files"  # the demo version's file
    settings.MEDIA_ROOT = tmp_path / "media"  # the demo import's file
    objects = demo_data_make()
    objects["program_campaign"] = Program.objects.get(pk=objects["program"]).campaign_id
    links = demo_links_make(objects)
    admin = get_user_model().objects.create_superuser("leak-admin", "", "x")
    with translation.override(settings.LANGUAGE_CODE):  # the template sync's notice, as a worker
        notifications_create(
            users=[admin],
            text=SystemMessage(
                "notification.template_stopped",
                template="bienvenida",
                status="paused",
                campaign="Reto de diciembre",
            ),
            url="/",
        )
    client.force_login(admin)
    visitor = Client()  # who opens an invitation or an enrolment link: not signed in
    people = demo_people_make(objects)
    member = Client()  # the agency's member: the agency portal switches language as ops do
    member.force_login(get_user_model().objects.get(username="leak-agencia"))
    # The portal speaks the creator's language whatever the browser says: each creator's
    # browser asks for the other language, and so does the one without a session, whose
    # pages are in the app's default language (read with each as the default).
    portal_readers = {}
    for language, person in people.items():
        other = "en" if language == "es-mx" else "es-mx"
        creator = Client(HTTP_ACCEPT_LANGUAGE=other)
        creator.cookies[settings.LANGUAGE_COOKIE_NAME] = other
        assert creator.get(f"/p/{person['token']}/").status_code == 302  # signs in
        assert creator.session[CREATOR_KEY] == int(person["creator"])
        signed_out = Client(HTTP_ACCEPT_LANGUAGE=other)
        signed_out.cookies[settings.LANGUAGE_COOKIE_NAME] = other
        portal_readers[language] = {
            "creator": creator,
            "portal-visitor": signed_out,
            "recipient": signed_out,
        }
    catalogue = Catalogue()
    codes = known_codes()
    pages, left_out = ops_pages(objects, links, people)
    assert left_out == [], f"no demo object or link fills these patterns: {left_out}"
    assert len(pages) > 60, pages
    # Signing out ends the creator's session: last.
    pages.sort(key=lambda page: page.name == "portal-sign-out" and page.method == "post")
    problems: dict[str, dict[str, list[str]]] = {}
    not_read: dict[str, str] = {}  # URL → why it is not a page
    unexpected: dict[str, str] = {}  # URL → the answer, where a page was expected
    read: dict[str, int] = {}  # URL name → pages read
    for language in ("es-mx", "en"):  # es-MX first: templates compile in it
        other = "en" if language == "es-mx" else "es-mx"
        for reader in (client, visitor, member):
            reader.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        readers = {"ops": client, "visitor": visitor, "agency": member, **portal_readers[language]}
        for page in pages:
            if page.language not in ("", language):
                continue
            default = other if page.reader == "recipient" else language
            with override_settings(LANGUAGE_CODE=default):  # the portal's, without a creator
                response = getattr(readers[page.reader], page.method)(
                    page.url, dict(page.data), follow=page.follow
                )
            reason = not_a_page(response)
            if reason and page.status == 200:
                not_read[f"{page.method.upper()} {page.url}"] = reason
                continue
            if reason or response.status_code != page.status:
                unexpected[f"{language} {page.method.upper()} {page.url}"] = (
                    f"{response.status_code} ({reason or 'HTML'}), not the {page.status} page"
                )
                continue
            read[page.name] = read.get(page.name, 0) + 1
            found = page_leaks(
                response.content.decode(), language=language, catalogue=catalogue, codes=codes
            )
            if found:
                problems[f"{language} {page.method.upper()} {page.url}"] = found
    assert unexpected == {}, f"these answer with something else than the page: {unexpected}"
    # Each of these was once left out for want of an object; each of its pages is read in
    # both languages: the preview per creator and portal page, a link per token and forged,
    # the enrolment link posted too.
    assert read["creator-portal-preview"] == 3 * len(PREVIEW_PAGES) * 2, read
    assert read["invitation-accept"] == 3 * 2, read
    assert read["program-join"] == 3 * 2, read
    # The creator portal, by each creator and signed out; the agency portal, by its member.
    assert read["portal-magic-link"] == read["portal-preferences-link"] == 2 * 4, read
    assert read["portal-unsubscribe"] == 2 * 3 and read["portal-inbox"] == 2 * 2, read
    assert read["portal-sign-out"] == 2 and read["portal-learn"] == 2 * 2, read
    assert read["portal-preferences"] == 2 * 2, read
    assert read["portal-inbox-message"] == 2 * 2, read
    assert read["agency-home"] == read["agency-brief"] == 2, read
    assert read["deliverable-detail"] == 2 * 2, read
    for reason in ("expired", "revoked"):  # each refused link says why
        refused = visitor.get(f"/p/{people['en'][reason]}/").content.decode()
        assert f'data-reason="{reason}"' in refused, refused
    # The member read the review round's notice (a system message) and the versions' diff.
    notices = member.get("/notifications/").content.decode()
    assert "Guion de Navidad" in notices, notices
    diff = member.get(f"/work/deliverables/{objects['deliverable']}/diff/").content.decode()
    assert "Muestra el producto." in diff, diff
    assert sum(read.values()) > 80, read
    # Not silently skipped: what was not read is an action (405 to a GET) or a download, a
    # CSV export or an uploaded file; a page that starts answering anything else fails here.
    downloads = {url for url, reason in not_read.items() if not reason.startswith("an action")}
    assert all(url.endswith((".csv", "/file/")) for url in downloads), {
        url: not_read[url] for url in downloads
    }
    report = "\n".join(
        f"{page}: {kind}: {strings}"
        for page, found in sorted(problems.items())
        for kind, strings in found.items()
    )
    assert problems == {}, f"{len(problems)} pages leak:\n{report}"


def test_every_system_message_reads_in_both_languages():
    """Each message a worker or the system stores as a code has its own words in es-MX."""
    import config.urls  # noqa: F401  (every app's modules, and so their messages)
    from common.system_messages import system_messages_all

    class Any(dict):
        def __missing__(self, key: str) -> int:
            return 2

    messages = system_messages_all()
    assert {"campaign.settled", "link.refused"} <= set(messages)
    same = []
    for code, text in sorted(messages.items()):
        with translation.override("en"):
            english = str(text % Any())
        with translation.override("es-mx"):
            spanish = str(text % Any())
        if english == spanish:
            same.append(f"{code}: {english}")
    assert same == [], "not translated into es-MX:\n" + "\n".join(same)


@pytest.mark.django_db
def test_the_checker_sees_a_leak():
    """The checks themselves: a Spanish note on an English page, an English label on a
    Spanish one, and a raw code are all reported; text marked as written in a language is
    held to that language, so a portal preview (the creator's language under a banner in
    the reader's) is checked part by part."""
    catalogue = Catalogue()
    codes = known_codes()

    def leaks(html: str, language: str) -> dict[str, list[str]]:
        return page_leaks(html, language=language, catalogue=catalogue, codes=codes)

    assert leaks(
        "<ul><li>05/12/2026 — Sending → Sent · Todos los envíos finalizados</li></ul>", "en"
    ) == {"other language": ["Todos los envíos finalizados"]}
    assert leaks('<a href="/">Inicio</a><button>Sign out</button>', "es-mx") == {
        "other language": ["Sign out"]
    }
    assert leaks("<td>campaign.sending</td><td>in_review</td>", "en") == {
        "raw codes": ["campaign.sending", "in_review"]
    }
    assert leaks("<td>diego_cocina</td><code>campaign.sending</code>", "en") == {}
    # A word of the page's language that is also a code is the word; in Spanish, English.
    assert leaks("<td>opened</td>", "en") == {}
    assert leaks("<td>opened</td>", "es-mx") == {
        "other language": ["opened"],
        "raw codes": ["opened"],
    }
    switch = '<html lang="es-MX"><select><option lang="en">English</option></select><p>Inicio</p>'
    assert leaks(switch, "es-mx") == {}
    preview = '<html lang="es-MX"><div lang="en">{banner}</div><main><p>{portal}</p></main>'
    assert leaks(preview.format(banner="Preferences", portal="Bandeja de entrada"), "en") == {}
    assert leaks(preview.format(banner="Preferences", portal="Sign out"), "en") == {
        "other language in its es-mx part": ["Sign out"]
    }
    assert leaks(preview.format(banner="Cerrar sesión", portal="Inicio"), "en") == {
        "other language": ["Cerrar sesión"]
    }
    assert leaks('<html lang="es-MX"><p>Bandeja de entrada</p>', "en") == {
        "nothing in the reader's language, only": ["es-mx"]
    }
