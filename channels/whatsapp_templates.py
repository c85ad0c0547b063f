"""The WhatsApp template catalogue: Twilio's Content API (`GET /v1/ContentAndApprovals`) mirrored
into `WhatsAppTemplate` rows, every page of it, with each template's WhatsApp approval.

`whatsapp_templates_sync` runs on a beat schedule (settings.WHATSAPP_TEMPLATES_SYNC_MINUTES)
and from the templates page's "Sync now". A template that Meta pauses, rejects or disables
(or that Twilio stops listing) is handed to the listeners higher apps register with
`template_stopped_listener_register` (dashboard tells the owners of the campaigns using it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from django.db import connection, transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels.models import WhatsAppTemplate
from common.exceptions import AltavozError

logger = logging.getLogger(__name__)

# `{{1}}`, `{{ 2 }}`, `{{first_name}}`: the Content API's placeholders.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
# The content types whose text is the message a creator reads, most specific first.
BODY_TYPES = (
    "twilio/text",
    "twilio/quick-reply",
    "twilio/call-to-action",
    "twilio/media",
    "twilio/card",
    "whatsapp/card",
    "twilio/list-picker",
    "whatsapp/authentication",
)
PAGE_SIZE = 100
SYNC_LOCK_KEY = 0x57A7E3  # pg_advisory_xact_lock key of the catalogue's writer

TemplateStoppedListener = Callable[..., object]
_LISTENERS: list[TemplateStoppedListener] = []


class TemplateSyncFailed(AltavozError):
    """Twilio's Content API could not be read: nothing in the catalogue was changed."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            _("The WhatsApp templates could not be read from Twilio (%(detail)s); try again later.")
            % {"detail": detail}
        )
        self.detail = detail


@dataclass
class TemplateSync:
    """What one sync did: counts, and the templates that became stopped."""

    seen: int = 0
    created: int = 0
    updated: int = 0
    stopped: list[WhatsAppTemplate] = field(default_factory=list)


def template_stopped_listener_register(listener: TemplateStoppedListener) -> None:
    """`listener(templates=[WhatsAppTemplate, …])` is called, inside the sync's transaction,
    with the templates that have just become paused, rejected, disabled or deleted."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def content_client() -> Client:
    """The SDK's client with its Content domain pointed at settings.TWILIO_CONTENT_BASE_URL,
    each request bounded by CHANNEL_READ_TIMEOUT ("Sync now" runs in a web request)."""
    client = Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=settings.CHANNEL_READ_TIMEOUT),
    )
    client.content.base_url = settings.TWILIO_CONTENT_BASE_URL
    return client


def locale_for(language: str) -> str:
    """Twilio's language code ("es_MX", "es", "en_US") as an Altavoz locale, or ""."""
    code = language.strip().lower().replace("-", "_")
    if code == "es" or code in ("es_mx", "es_419", "es_us"):
        return "es-MX"
    if code == "en" or code.startswith("en_"):
        return "en"
    return ""


def placeholders(text: str) -> list[str]:
    """The placeholder names in `text`, in order of first appearance."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def _content_type(types: Mapping[str, Any]) -> str:
    for name in BODY_TYPES:
        if isinstance(types.get(name), dict):
            return name
    return next((name for name, value in types.items() if isinstance(value, dict)), "")


def _buttons(content: Mapping[str, Any]) -> list[dict[str, str]]:
    buttons = []
    for action in content.get("actions") or []:
        if not isinstance(action, dict):
            continue
        button = {
            "type": str(action.get("type") or "QUICK_REPLY"),
            "title": str(action.get("title") or ""),
        }
        for key in ("id", "url", "phone"):
            if action.get(key):
                button[key] = str(action[key])
        buttons.append(button)
    return buttons


def template_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A `WhatsAppTemplate`'s fields from one Content API resource (`content_and_approvals`)."""
    types: Mapping[str, Any] = payload.get("types") or {}
    if not isinstance(types, dict):
        types = {}
    kind = _content_type(types)
    content = types.get(kind) or {}
    body = str(content.get("body") or content.get("title") or "")
    approval = payload.get("approval_requests")
    approval = approval if isinstance(approval, dict) else {}
    declared: Mapping[str, Any] = payload.get("variables") or {}
    if not isinstance(declared, dict):
        declared = {}
    texts = [body, *(str(url) for url in content.get("media") or [])]
    texts += [button.get("url", "") for button in _buttons(content)]
    found = [name for text in texts for name in placeholders(text)]
    variables = {str(key): str(value) for key, value in declared.items()}
    for name in found:
        variables.setdefault(name, "")
    status = str(approval.get("status") or "").lower()
    if status not in WhatsAppTemplate.Status.values:
        status = WhatsAppTemplate.Status.UNKNOWN
    language = str(payload.get("language") or "")
    return {
        "friendly_name": str(payload.get("friendly_name") or approval.get("name") or "")[:200],
        "language": language[:16],
        "locale": locale_for(language),
        "category": str(approval.get("category") or "")[:32],
        "content_type": kind[:32],
        "body": body,
        "variables": variables,
        "buttons": _buttons(content),
        "status": status,
        "rejection_reason": str(approval.get("rejection_reason") or ""),
    }


def _fetch_all(client: Client) -> Iterable[dict[str, Any]]:
    """Every template of every page (the SDK follows `meta.next_page_url`)."""
    for item in client.content.v1.content_and_approvals.stream(page_size=PAGE_SIZE):
        yield {
            "sid": item.sid,
            "friendly_name": item.friendly_name,
            "language": item.language,
            "variables": item.variables,
            "types": item.types,
            "approval_requests": item.approval_requests,
        }


def whatsapp_templates_sync(*, client: Client | None = None) -> TemplateSync:
    """Mirror the Content API's templates: create and update rows, mark the ones Twilio no
    longer lists as deleted, and tell the listeners which became stopped. All or nothing: a
    failure on any page changes nothing."""
    client = client or content_client()
    try:
        resources = list(_fetch_all(client))
    except TwilioRestException as error:
        logger.warning("twilio content sync: status=%s body=%s", error.status, error.msg)
        raise TemplateSyncFailed(f"HTTP {error.status}") from error
    except (TwilioException, requests.RequestException, ValueError, KeyError) as error:
        logger.warning("twilio content sync failed: %s", error)
        # The SDK raises TwilioException("Unable to fetch page", response) for a non-2xx page.
        response = next((a for a in error.args if hasattr(a, "status_code")), None)
        detail = f"HTTP {response.status_code}" if response is not None else type(error).__name__
        raise TemplateSyncFailed(detail) from error
    result = TemplateSync()
    synced_at = now()
    with transaction.atomic():
        # One sync writes at a time (beat and "Sync now" may overlap): the second waits,
        # then sees the first one's rows instead of inserting the same SIDs again.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SYNC_LOCK_KEY])
        existing = {t.sid: t for t in WhatsAppTemplate.objects.all()}
        listed: set[str] = set()
        for payload in resources:
            sid = str(payload.get("sid") or "")
            if not sid or sid in listed:
                continue
            listed.add(sid)
            result.seen += 1
            fields = template_fields(payload)
            template = existing.get(sid)
            if template is None:
                template = WhatsAppTemplate.objects.create(sid=sid, synced_at=synced_at, **fields)
                result.created += 1
                if template.status in WhatsAppTemplate.STOPPED:
                    result.stopped.append(template)
                continue
            was_stopped = template.status in WhatsAppTemplate.STOPPED
            for name, value in fields.items():
                setattr(template, name, value)
            template.synced_at = synced_at
            template.save()
            result.updated += 1
            if template.status in WhatsAppTemplate.STOPPED and not was_stopped:
                result.stopped.append(template)
        for sid, template in existing.items():
            if sid not in listed and template.status != WhatsAppTemplate.Status.DELETED:
                was_stopped = template.status in WhatsAppTemplate.STOPPED
                template.status = WhatsAppTemplate.Status.DELETED
                template.synced_at = synced_at
                template.save(update_fields=["status", "synced_at"])
                if not was_stopped:
                    result.stopped.append(template)
        if result.stopped:
            for listener in list(_LISTENERS):
                listener(templates=list(result.stopped))
    logger.info(
        "twilio content sync: %s templates, %s new, %s stopped",
        result.seen,
        result.created,
        len(result.stopped),
    )
    return result
