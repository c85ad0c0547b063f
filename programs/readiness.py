"""The materials checklist of a campaign, its readiness score, and the launch gate.

Items come from the campaign's kind, channels and languages (see docs/programs.md):
messages that render for a sample of the real audience, links that answer (programs.linkcheck),
linked education content published in each language, rules / FAQ / landing pages for
missions and competitions, a test send on each channel that has one, and approval.

The gate (`campaign_readiness_enforce`) is registered with campaigns.launch_checks by
ProgramsConfig.ready(); it only applies to campaigns that have a Program. A manager
(programs.override_readiness) can override it with a written reason (`readiness_override`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEntry
from audit.services import audit_record
from campaigns.exceptions import TemplateInvalid, TemplateRenderFailed
from campaigns.models import Campaign, Message
from campaigns.rendering import (
    SAMPLE_CREATOR,
    MessageRenderer,
    PreviewLinks,
    campaign_context_build,
    creator_context_build,
)
from campaigns.services import REQUIRED_FIELDS
from campaigns.testsend import TEST_CHANNELS
from campaigns.whatsapp_templates import campaign_templates_get
from common.system_messages import (
    SystemMessage,
    system_message_params_define,
    system_messages_define,
)
from creators.models import Channel
from programs.exceptions import CampaignNotReady, OverrideReasonMissing
from programs.linkcheck import LinkChecker, LinkResult
from programs.models import ManualChecklistItem, Program, ReadinessOverride
from segments.selectors import segment_creators

SAMPLE_SIZE = 5

# Item labels are system messages: an override keeps them (audit log, `ReadinessOverride`)
# as codes, read in the viewer's language. A manual item's label is a person's words.
system_messages_define(
    {
        "readiness.channels": gettext_lazy("Channels chosen"),
        "readiness.message": gettext_lazy("Message: %(channel)s · %(locale)s"),
        "readiness.pages": gettext_lazy("Rules, FAQ and landing page"),
        "readiness.whatsapp_template": gettext_lazy("WhatsApp template approved: %(name)s"),
        "readiness.link": gettext_lazy("Link answers: %(url)s"),
        "readiness.guide": gettext_lazy("Guide published: %(slug)s"),
        "readiness.test_send": gettext_lazy("Test send: %(channel)s"),
        "readiness.approval": gettext_lazy("Approval given"),
    }
)
system_message_params_define({"channel": lambda code: str(dict(Channel.choices).get(code, code))})


@dataclass
class ChecklistItem:
    key: str
    label: str | SystemMessage  # str: a manual item's label, as its author wrote it
    ok: bool
    required: bool = True
    fix: str = ""
    detail: str | SystemMessage = ""


@dataclass
class Checklist:
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def failing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.ok]

    @property
    def blocking(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.required and not item.ok]

    @property
    def score(self) -> int:
        """Share of items that pass, in percent."""
        if not self.items:
            return 100
        return round(100 * sum(item.ok for item in self.items) / len(self.items))

    @property
    def ready(self) -> bool:
        return not self.blocking


# --- Education content ----------------------------------------------------------------------------
# A guide checker takes a slug and the languages, and returns {locale: problem or ""}.
GuideChecker = Callable[[str, list[str]], dict[str, str]]


def guide_problems_education(slug: str, locales: list[str]) -> dict[str, str]:
    """Ask the education app, when installed, whether `slug` is published in each language.

    Expected interface (the education app is built separately): model
    `education.ContentItem` with `slug` and `status` ("published" when live), and a
    per-language version model reachable as `item.versions` whose rows have `locale` (and,
    if it exists, `status`, also "published" when live). Anything else is reported as "cannot
    check", never as published.
    """
    if not apps.is_installed("education"):
        return {locale: _("cannot check: the education app is not installed") for locale in locales}
    try:
        model = apps.get_model("education", "ContentItem")
        item = model.objects.filter(slug=slug).first()
        if item is None:
            return {
                locale: _("no education item “%(slug)s”") % {"slug": slug} for locale in locales
            }
        if getattr(item, "status", "") != "published":
            return {locale: _("not published") for locale in locales}
        versions = getattr(item, "versions", None)
        if versions is None:
            return {locale: _("cannot check its languages") for locale in locales}
        rows = versions.all()
        version_fields = {f.name for f in rows.model._meta.get_fields()}
        if "status" in version_fields:
            rows = rows.filter(status="published")
        published = set(rows.values_list("locale", flat=True))
    except (LookupError, AttributeError, ValueError) as error:
        return {locale: _("cannot check: %(error)s") % {"error": error} for locale in locales}
    return {
        locale: "" if locale in published else _("not published in this language")
        for locale in locales
    }


_guide_checker: list[GuideChecker] = [guide_problems_education]


def guide_checker_register(checker: GuideChecker) -> None:
    """Use `checker` for the education item (the education app registers its own)."""
    _guide_checker[0] = checker


# --- Rendering a sample -------------------------------------------------------------------------


class _LinkCollector(PreviewLinks):
    """Plain URLs, remembering every link and every `learn()` slug a render used."""

    def __init__(self, *, locale: str) -> None:
        super().__init__(locale=locale)
        self.urls: set[str] = set()
        self.slugs: set[str] = set()

    def track(self, url: str, label: str | None = None) -> str:
        if not (self.base_url and url.startswith(self.base_url + "/")):
            self.urls.add(url)
        return url

    def learn(self, slug: str) -> str:
        self.slugs.add(slug)
        return super().learn(slug)


def _sample(campaign: Campaign, locale: str) -> list[dict[str, Any]]:
    if campaign.segment is None:
        return [creator_context_build(SAMPLE_CREATOR)]
    creators = segment_creators(campaign.segment).order_by("pk")
    rows = list(creators.filter(locale=locale)[:SAMPLE_SIZE]) or list(creators[:SAMPLE_SIZE])
    return [creator_context_build(creator) for creator in rows] or [
        creator_context_build(SAMPLE_CREATOR)
    ]


def _message_problem(campaign: Campaign, message: Message, collector: _LinkCollector) -> str:
    renderer = MessageRenderer(message.channel, message.fields, locale=message.locale)
    context = campaign_context_build(campaign)
    for creator in _sample(campaign, message.locale):
        try:
            rendered = renderer.render(creator=creator, campaign=context, links=collector)
        except (TemplateInvalid, TemplateRenderFailed) as error:
            return _("For @%(handle)s: %(error)s") % {
                "handle": creator.get("handle"),
                "error": error,
            }
        for alternatives in REQUIRED_FIELDS[message.channel]:
            if not any(str(rendered.get(name) or "").strip() for name in alternatives):
                return _("For @%(handle)s, “%(field)s” comes out empty.") % {
                    "handle": creator.get("handle"),
                    "field": alternatives[0],
                }
    return ""


def _locales(campaign: Campaign, program: Program | None) -> list[str]:
    wanted = [campaign.default_locale, *((program.locales or []) if program else [])]
    return list(dict.fromkeys(wanted))


def campaign_checklist(*, campaign: Campaign, checker: LinkChecker | None = None) -> Checklist:
    program = Program.objects.filter(campaign=campaign).first()
    checklist = Checklist()
    items = checklist.items
    channel_labels = dict(Channel.choices)
    locales = _locales(campaign, program)
    messages = {
        (message.channel, message.locale): message
        for message in Message.objects.filter(campaign=campaign, step=0)
    }
    if not campaign.channels:
        items.append(
            ChecklistItem(
                "channels",
                SystemMessage("readiness.channels"),
                False,
                fix=_("Choose channels in the campaign's audience step."),
            )
        )
    urls: set[str] = set()
    slugs: set[tuple[str, str]] = set()
    for channel in campaign.channels:
        for locale in locales:
            label = SystemMessage("readiness.message", channel=channel, locale=locale)
            message = messages.get((channel, locale))
            if message is None:
                items.append(
                    ChecklistItem(
                        f"message:{channel}:{locale}",
                        label,
                        False,
                        fix=_("Write the %(channel)s message in %(locale)s.")
                        % {"channel": channel_labels.get(channel, channel), "locale": locale},
                    )
                )
                continue
            collector = _LinkCollector(locale=locale)
            problem = _message_problem(campaign, message, collector)
            urls |= collector.urls
            slugs |= {(slug, locale) for slug in collector.slugs}
            items.append(
                ChecklistItem(
                    f"message:{channel}:{locale}",
                    label,
                    not problem,
                    fix=_("Fix the message so it renders for every creator.") if problem else "",
                    detail=problem,
                )
            )
    if program is not None and campaign.kind in ("mission", "competition"):
        pages = {
            _("rules"): program.rules_url or program.rules_text,
            _("FAQ"): program.faq_url,
            _("landing page"): program.landing_url,
        }
        missing = [name for name, value in pages.items() if not value]
        items.append(
            ChecklistItem(
                "pages",
                SystemMessage("readiness.pages"),
                not missing,
                fix=_("Add on the program page: %(missing)s.") % {"missing": ", ".join(missing)}
                if missing
                else "",
            )
        )
        urls |= {url for url in (program.rules_url, program.faq_url, program.landing_url) if url}
    items.extend(_whatsapp_template_items(campaign))
    items.extend(_link_items(sorted(urls), checker or LinkChecker()))
    items.extend(_guide_items(slugs))
    items.extend(_test_send_items(campaign))
    for manual in ManualChecklistItem.objects.filter(campaign=campaign):
        items.append(
            ChecklistItem(
                f"manual:{manual.pk}",
                manual.label,
                manual.done,
                required=manual.required,
                fix="" if manual.done else _("Tick it off when done."),
            )
        )
    if settings.REQUIRE_APPROVAL:
        approved = campaign.approval_status == Campaign.Approval.APPROVED
        items.append(
            ChecklistItem(
                "approval",
                SystemMessage("readiness.approval"),
                approved,
                required=False,
                fix=""
                if approved
                else _("Submit for approval; a manager approves (or approves by launching)."),
            )
        )
    return checklist


def _whatsapp_template_items(campaign: Campaign) -> list[ChecklistItem]:
    """Each WhatsApp template the campaign uses must be approved (docs/whatsapp-templates.md);
    the launch check in campaigns enforces it for every campaign, program or not."""
    items = []
    for used in campaign_templates_get(campaign=campaign):
        template = used["template"]
        ok = template is not None and template.approved
        detail = ""
        if template is None:
            detail = _("not in the catalogue")
        elif not ok:
            detail = template.get_status_display()
            if template.rejection_reason:
                detail += f": {template.rejection_reason}"
        items.append(
            ChecklistItem(
                f"whatsapp-template:{used['sid']}",
                SystemMessage(
                    "readiness.whatsapp_template",
                    name=template.friendly_name if template else used["sid"],
                ),
                ok,
                fix="" if ok else _("Pick an approved template in the WhatsApp message."),
                detail=detail,
            )
        )
    return items


def _link_items(urls: list[str], checker: LinkChecker) -> list[ChecklistItem]:
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(urls))) as pool:
        results: list[LinkResult] = list(pool.map(checker.check, urls))
    return [
        ChecklistItem(
            f"link:{result.url}",
            SystemMessage("readiness.link", url=result.url),
            result.ok,
            fix="" if result.ok else _("Fix or replace the link."),
            detail=result.reason or "",  # rendered when shown: checks ran in other threads
        )
        for result in results
    ]


def _guide_items(slugs: set[tuple[str, str]]) -> list[ChecklistItem]:
    by_slug: dict[str, list[str]] = {}
    for slug, locale in sorted(slugs):
        by_slug.setdefault(slug, []).append(locale)
    items = []
    for slug, locales in by_slug.items():
        problems = _guide_checker[0](slug, locales)
        failing = {locale: problem for locale, problem in problems.items() if problem}
        cannot_check = (
            not apps.is_installed("education") and _guide_checker[0] is guide_problems_education
        )
        detail = "; ".join(f"{locale}: {problem}" for locale, problem in failing.items())
        items.append(
            ChecklistItem(
                f"guide:{slug}",
                SystemMessage("readiness.guide", slug=slug),
                not failing,
                required=not cannot_check,
                fix=_("Publish the guide in every language the campaign uses.") if failing else "",
                detail=detail,
            )
        )
    return items


def _test_send_items(campaign: Campaign) -> list[ChecklistItem]:
    entries = AuditEntry.objects.filter(
        action="campaign.test_send", target_type="campaign", target_id=str(campaign.pk)
    ).values_list("detail", flat=True)
    sent: set[str] = set()
    for detail in entries:
        for address in (detail or {}).get("to", []):
            sent.add("email" if "@" in str(address) else "whatsapp")
    items = []
    for channel in campaign.channels:
        if channel not in TEST_CHANNELS:
            continue
        items.append(
            ChecklistItem(
                f"test_send:{channel}",
                SystemMessage("readiness.test_send", channel=channel),
                channel in sent,
                fix="" if channel in sent else _("Use “Send test” on the review page."),
            )
        )
    return items


# --- The gate ---------------------------------------------------------------------------------


def campaign_readiness_enforce(*, campaign: Campaign, actor: User | None) -> None:
    """Refuse to launch a program's campaign while required items fail, unless overridden."""
    if not Program.objects.filter(campaign=campaign).exists():
        return
    if ReadinessOverride.objects.filter(campaign=campaign).exists():
        return
    checklist = campaign_checklist(campaign=campaign)
    if checklist.blocking:
        raise CampaignNotReady([str(item.label) for item in checklist.blocking])


@transaction.atomic
def readiness_override(*, campaign: Campaign, reason: str, actor: User) -> ReadinessOverride:
    """Record that `actor` lets the campaign launch despite failing items, and why (audited)."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise OverrideReasonMissing()
    # Kept as codes, so that the audit log reads them in its viewer's language.
    failing = [
        item.label.as_json() if isinstance(item.label, SystemMessage) else item.label
        for item in campaign_checklist(campaign=campaign).blocking
    ]
    override = ReadinessOverride.objects.create(
        campaign=campaign, actor=actor, reason=reason, failing=failing
    )
    audit_record(
        actor=actor,
        action="campaign.readiness_override",
        target=campaign,
        detail={"reason": reason, "failing": failing},
    )
    return override


@transaction.atomic
def campaign_launch_overriding(*, campaign: Campaign, reason: str, actor: User) -> Campaign:
    """Override the checklist (audited, with the reason) and start the campaign as planned.

    One transaction: if the campaign cannot start for another reason, no override is kept.
    """
    from campaigns.drafting import campaign_start

    readiness_override(campaign=campaign, reason=reason, actor=actor)
    return campaign_start(campaign=campaign, actor=actor)


@transaction.atomic
def manual_item_add(
    *, campaign: Campaign, label: str, required: bool, actor: User | None
) -> ManualChecklistItem:
    item = ManualChecklistItem.objects.create(
        campaign=campaign, label=label.strip()[:200], required=required
    )
    audit_record(
        actor=actor,
        action="campaign.checklist_add",
        target=campaign,
        detail={"item": item.label, "required": required},
    )
    return item


@transaction.atomic
def manual_item_set_done(
    *, item: ManualChecklistItem, done: bool, actor: User | None
) -> ManualChecklistItem:
    item.done = done
    item.done_by = actor if done and actor is not None and actor.is_authenticated else None
    item.save(update_fields=["done", "done_by"])
    audit_record(
        actor=actor,
        action="campaign.checklist_tick",
        target=item.campaign,
        detail={"item": item.label, "done": done},
    )
    return item
