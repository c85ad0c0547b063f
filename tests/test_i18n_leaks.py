"""No page shows a string in the other language or a raw code, runtime messages included.

Every ops page of the URL conf is rendered with demo data, in es-MX first (templates are then
compiled, so a string translated at compile time would stick) and in English; the text a
person reads (text nodes, titles, labels, placeholders) is checked against the Spanish
catalogue: in es-MX, no English msgid that has a different translation; in English, no
Spanish translation; in both, no raw code such as `campaign.sending` or `in_review`. The
worker's part runs under es-MX, as a worker does. Then every message the system stores as
a code (common/system_messages.py) must read differently in the two languages.

Failures list the exact strings per page: new strings need the lead's translations
(locale/es_MX/LC_MESSAGES/django.po, then `scripts/messages-update`) before this passes.
Run: `.venv/bin/pytest tests/test_i18n_leaks.py -q`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "es_MX" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
# Not pages a person reads in the ops UI, or not in its language switch.
SKIPPED_PREFIXES = (
    "admin/",
    "api/",
    "i18n/",
    "hooks/",
    "t/",
    "p/",
    "me/",
    "u/",
    "learn/",
    "agency/",
    "healthz",
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


class _Text(HTMLParser):
    """The text a person reads or hears: text nodes and the attributes read aloud."""

    SKIP = {"script", "style", "code", "pre", "textarea", "template"}
    READ = ("title", "aria-label", "placeholder", "alt")
    VOID = {"input", "img", "br", "hr", "meta", "link", "source", "wbr", "col", "area"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.VOID and self._skipping:
            return
        # Code, and text marked as written in a language (`lang`: a language's own name in
        # the switch, a creator's message), are not the UI's words.
        if self._skipping or tag in self.SKIP or (values.get("lang") and tag != "html"):
            if tag not in self.VOID:
                self._skipping.append(tag)
            return
        for name in self.READ:
            if values.get(name):
                self.nodes.append(" ".join(str(values[name]).split()))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.nodes.append(str(values["value"]).strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipping:  # close up to the matching tag
            while self._skipping and self._skipping.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        text = " ".join(data.split())
        if text:
            self.nodes.append(text)


def page_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


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


# --- Demo data and the pages --------------------------------------------------------------------


def demo_data_make() -> dict[str, int]:
    """Demo creators, segments and conversations (seed_demo's own modules), and what the
    URL conf's pages are about: a finished and a draft campaign, a program, a lesson and a
    path, an agency brief, a playbook. The worker's part runs in es-MX, as on a server."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agencies import services as agency_services
    from agencies.models import Deliverable, Notification
    from campaigns import dispatch, fanout, reconcile, runs, sequences, services
    from campaigns.models import Campaign, Delivery
    from conversations.canned_defaults import canned_answers_seed
    from conversations.demo import conversations_demo_create
    from conversations.models import Conversation
    from creators.demo import creators_seed_demo
    from creators.models import Creator
    from education.models import ContentItem
    from markets.proposals import proposal_save
    from programs import readiness
    from segments.demo import segments_demo_create
    from tests.support.factories import (
        agency_make,
        agency_user_make,
        campaign_make,
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
    }


def _patterns(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def ops_urls(objects: dict[str, int]) -> tuple[list[str], list[str]]:
    """(URLs to read, patterns left out because no demo object fits them)."""
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
    urls, left_out = [], []
    for pattern in _patterns(get_resolver().url_patterns):
        if pattern.startswith(SKIPPED_PREFIXES):
            continue
        url = pattern
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", pattern):
            value = named.get(name)
            if name in ("pk", "campaign_pk"):
                value = next((v for p, v in ids.items() if pattern.startswith(p)), None)
            if value is None:
                break
            token = f"<{converter}:{name}>" if converter else f"<{name}>"
            url = url.replace(token, str(value))
        if "<" in url:
            left_out.append(pattern)
            continue
        urls.append("/" + url)
    return urls, left_out


@pytest.mark.django_db(transaction=False)
def test_no_page_shows_the_other_language_or_a_raw_code(client, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from agencies.services import notifications_create
    from common.system_messages import SystemMessage
    from programs.models import Program

    settings.LINK_CHECK_TIMEOUT = 0.5
    settings.AGENCY_FILES_DIR = tmp_path / "agency-files"  # the demo version's file
    objects = demo_data_make()
    objects["program_campaign"] = Program.objects.get(pk=objects["program"]).campaign_id
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
    catalogue = Catalogue()
    codes = known_codes()
    urls, left_out = ops_urls(objects)
    assert len(urls) > 60, urls
    problems: dict[str, dict[str, list[str]]] = {}
    read = 0
    for language in ("es-mx", "en"):  # es-MX first: templates compile in it
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            read += 1
            nodes = page_text(response.content.decode())
            found = {
                "other language": catalogue.foreign(nodes, language=language),
                "raw codes": raw_codes(nodes, codes),
            }
            found = {kind: strings for kind, strings in found.items() if strings}
            if found:
                problems[f"{language} {url}"] = found
    assert read > 80, read
    report = "\n".join(
        f"{page}: {kind}: {strings}"
        for page, found in sorted(problems.items())
        for kind, strings in found.items()
    )
    assert problems == {}, f"{len(problems)} pages leak (left out: {left_out}):\n{report}"


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
    Spanish one, and a raw code are all reported."""
    catalogue = Catalogue()
    english_page = page_text(
        "<ul><li>05/12/2026 — Sending → Sent · Todos los envíos finalizados</li></ul>"
    )
    assert catalogue.foreign(english_page, language="en") == ["Todos los envíos finalizados"]
    spanish_page = page_text('<a href="/">Inicio</a><button>Sign out</button>')
    assert catalogue.foreign(spanish_page, language="es-mx") == ["Sign out"]
    codes = known_codes()
    assert raw_codes(page_text("<td>campaign.sending</td><td>in_review</td>"), codes) == [
        "campaign.sending",
        "in_review",
    ]
    assert raw_codes(page_text("<td>diego_cocina</td><code>campaign.sending</code>"), codes) == []
    marked = page_text('<select><option lang="en">English</option></select><p>Inicio</p>')
    assert catalogue.foreign(marked, language="es-mx") == []
