"""Services that change conversations: inbound messages filed in their threads (window,
keywords, reply attribution), ops replies through the WhatsApp adapter and their status
callbacks, assignment, status, tags, read marks, and linking an unknown number to a creator
(docs/conversations.md)."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns.models import Delivery
from campaigns.whatsapp_templates import whatsapp_template_send_errors, whatsapp_template_unapproved
from channels.base import Outcome, Outgoing, SendResult
from channels.registry import adapter_for
from common.sql import idempotent_statement_run
from conversations import selectors
from conversations.exceptions import (
    ConversationLinkRefused,
    NoPhone,
    OptedOut,
    ReplyInvalid,
    ReplyTemplateInvalid,
    ReplyTemplateNotApproved,
    WindowClosed,
)
from conversations.keywords import keyword_of
from conversations.models import Conversation, InboundWebhook, Message
from conversations.phones import whatsapp_address_phone
from creators.models import Channel, ConsentChange, ConsentStatus, Creator, Locale
from creators.services import creator_consent_set
from events.services import event_emit

logger = logging.getLogger(__name__)

WINDOW = selectors.WINDOW
MAX_MEDIA = 10
CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")

# The one confirmation a keyword gets, in the creator's language (the feature's own text).
CONFIRMATIONS = {
    Message.Keyword.OPT_OUT: {
        Locale.ES_MX: (
            "Listo, ya no te enviaremos mensajes por WhatsApp. Si cambias de opinión, "
            "responde ALTA."
        ),
        Locale.EN: "Done: we will not message you on WhatsApp anymore. Reply START to undo.",
    },
    Message.Keyword.OPT_IN: {
        Locale.ES_MX: (
            "¡Qué gusto! Volverás a recibir nuestros mensajes por WhatsApp. Responde BAJA "
            "para dejar de recibirlos."
        ),
        Locale.EN: "Welcome back: you will get our WhatsApp messages again. Reply STOP to stop.",
    },
}

# How far each Twilio status takes an outbound message; a late callback never moves it back.
STATUS_RANK = {
    Message.Status.PENDING: 0,
    Message.Status.QUEUED: 1,
    Message.Status.SENT: 2,
    Message.Status.DELIVERED: 3,
    Message.Status.READ: 4,
    Message.Status.UNDELIVERED: 5,
    Message.Status.FAILED: 5,
}
TWILIO_STATUSES = {
    "accepted": Message.Status.QUEUED,
    "queued": Message.Status.QUEUED,
    "sending": Message.Status.QUEUED,
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "read": Message.Status.READ,
    "undelivered": Message.Status.UNDELIVERED,
    "failed": Message.Status.FAILED,
}

Actor = AbstractBaseUser | AnonymousUser | None


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


# --- Inbound ------------------------------------------------------------------------------------


def inbound_webhook_store(*, params: dict[str, str]) -> int | None:
    """Keep a verified incoming-message webhook by its `MessageSid` (one insert, nothing if
    that sid is stored already: Twilio's retry). Returns the new row's id, else None."""
    table = InboundWebhook._meta.db_table
    row = idempotent_statement_run(
        f"INSERT INTO {table} (message_sid, params, received_at, attempts, error)"
        " VALUES (%s, %s::jsonb, %s, 0, '') ON CONFLICT (message_sid) DO NOTHING RETURNING id",
        [params["MessageSid"], json.dumps(params), timezone.now()],
    )
    return row[0] if row else None


def inbound_webhook_process(*, webhook_id: int) -> Message | None:
    """File a stored webhook in its thread, exactly once (the row is locked and marked in the
    transaction that stores the message); then send a keyword's confirmation. None when the
    webhook is filed already or being filed by another worker."""
    with transaction.atomic():
        webhook = (
            InboundWebhook.objects.select_for_update(skip_locked=True)
            .filter(pk=webhook_id, processed_at__isnull=True)
            .first()
        )
        if webhook is None:
            return None
        message, confirmation = _inbound_file(
            params={str(k): str(v) for k, v in dict(webhook.params).items()},
            received_at=webhook.received_at,
        )
        webhook.processed_at, webhook.error = timezone.now(), ""
        webhook.save(update_fields=["processed_at", "error"])
    if confirmation is not None:
        message_deliver(message=confirmation)
    return message


def inbound_webhook_failed(*, webhook_id: int, error: str) -> None:
    """Note why a webhook could not be filed (it stays unfiled; the sweep tries again)."""
    InboundWebhook.objects.filter(pk=webhook_id, processed_at__isnull=True).update(
        error=error[:500], attempts=F("attempts") + 1
    )


def inbound_webhooks_file(
    *,
    older_than: timedelta = timedelta(0),
    max_attempts: int | None = None,
    max_seconds: float = 25.0,
) -> int:
    """File the webhooks still unfiled (received more than `older_than` ago, tried fewer than
    `max_attempts` times), oldest first; returns how many this call filed. One that fails is
    noted on its row and left for the sweep."""
    cutoff = timezone.now() - older_than
    pending = InboundWebhook.objects.filter(processed_at__isnull=True, received_at__lte=cutoff)
    if max_attempts is not None:
        pending = pending.filter(attempts__lt=max_attempts)
    done, deadline = 0, time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        batch = list(pending.order_by("received_at", "id").values_list("pk", flat=True)[:500])
        filed = 0
        for webhook_id in batch:
            if time.monotonic() > deadline:
                break
            try:
                filed += inbound_webhook_process(webhook_id=webhook_id) is not None
            except Exception as error:  # noted on the row and logged; the sweep tries again
                logger.exception("inbound webhook %s failed to file", webhook_id)
                inbound_webhook_failed(webhook_id=webhook_id, error=repr(error))
        done += filed
        if len(batch) < 500 or not filed:
            break
    return done


def inbound_webhooks_sweep(*, older_than: timedelta, max_seconds: float = 25.0) -> int:
    """File webhooks left unfiled longer than `older_than` (a lost task, a killed worker);
    returns how many this call filed. Filed webhooks older than the keep period go."""
    done = inbound_webhooks_file(older_than=older_than, max_seconds=max_seconds)
    if done:
        logger.warning("inbound sweep filed %s message(s) left unfiled", done)
    keep = timezone.now() - timedelta(days=settings.CONVERSATIONS_INBOUND_KEEP_DAYS)
    old = InboundWebhook.objects.filter(processed_at__lt=keep).values_list("pk", flat=True)[:1000]
    InboundWebhook.objects.filter(pk__in=list(old)).delete()
    return done


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > 180:
        return None
    return number.quantize(Decimal("0.000001"))


def _media(params: dict[str, str]) -> list[dict[str, str]]:
    try:
        count = min(int(params.get("NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        count = 0
    media = []
    for index in range(max(count, 0)):
        url = params.get(f"MediaUrl{index}", "")
        if url:
            media.append(
                {
                    "url": url[:2000],
                    "content_type": params.get(f"MediaContentType{index}", "")[:100],
                }
            )
    return media


def _preview(body: str, media: Sequence[dict[str, str]], location: bool) -> str:
    if body:
        return body[:200]
    if media:
        return _("[attachment]")
    if location:
        return _("[location]")
    return ""


def delivery_answered(*, creator: Creator, replied_to_sid: str, at: datetime) -> Delivery | None:
    """The WhatsApp delivery a creator's message answers: the one it quotes
    (`OriginalRepliedMessageSid`), else the latest sent to them within the attribution
    period (CONVERSATIONS_REPLY_ATTRIBUTION_HOURS)."""
    deliveries = Delivery.objects.filter(creator=creator, channel=Channel.WHATSAPP)
    if replied_to_sid:
        quoted = deliveries.filter(provider_message_id=replied_to_sid).first()
        if quoted is not None:
            return quoted
    since = at - timedelta(hours=settings.CONVERSATIONS_REPLY_ATTRIBUTION_HOURS)
    return (
        deliveries.filter(sent_at__gte=since, sent_at__lte=at, status=Delivery.Status.SENT)
        .order_by("-sent_at", "-id")
        .first()
    )


def _conversation_for(*, creator: Creator | None, phone: str) -> Conversation:
    """The creator's thread (or the unknown number's), created on its first message."""
    if creator is not None:
        conversation, _created = Conversation.objects.get_or_create(
            creator=creator, defaults={"phone": creator.phone or phone}
        )
    else:
        conversation, _created = Conversation.objects.get_or_create(
            creator=None, phone=phone, defaults={}
        )
    return conversation


def inbound_message_file(
    *, params: dict[str, str], received_at: datetime
) -> tuple[Message | None, Message | None]:
    """File one inbound message's parameters in its thread (the webhook's work, also used by
    the demo data): the message, and a keyword's confirmation still to send (or None)."""
    return _inbound_file(params=params, received_at=received_at)


def _inbound_file(
    *, params: dict[str, str], received_at: datetime
) -> tuple[Message | None, Message | None]:
    sid = params.get("MessageSid", "")
    if Message.objects.filter(provider_sid=sid).exists():
        return None, None
    phone = whatsapp_address_phone(wa_id=params.get("WaId", ""), address=params.get("From", ""))
    if not phone:
        logger.warning("inbound message %s names no number; dropped", sid)
        return None, None
    creator = selectors.creator_for_phone(phone=phone)
    conversation = _conversation_for(creator=creator, phone=phone)
    body = params.get("Body", "")
    media = _media(params)
    latitude, longitude = (
        _decimal(params.get("Latitude", "")),
        _decimal(params.get("Longitude", "")),
    )
    located = latitude is not None and longitude is not None
    keyword = keyword_of(body) if not media else ""
    replied_to = params.get("OriginalRepliedMessageSid", "")[:64]
    delivery = (
        delivery_answered(creator=creator, replied_to_sid=replied_to, at=received_at)
        if creator is not None
        else None
    )
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.IN,
        body=body,
        media=media,
        latitude=latitude if located else None,
        longitude=longitude if located else None,
        location_label=params.get("Label", "")[:200],
        location_address=params.get("Address", "")[:300],
        button_payload=params.get("ButtonPayload", "")[:200],
        button_text=params.get("ButtonText", "")[:200],
        keyword=keyword,
        provider_sid=sid,
        replied_to_sid=replied_to,
        delivery=delivery,
        campaign_id=delivery.campaign_id if delivery else None,
        status=Message.Status.RECEIVED,
        at=received_at,
        raw=params,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        wa_id=params.get("WaId", "")[:32] or conversation.wa_id,
        profile_name=params.get("ProfileName", "")[:150] or conversation.profile_name,
        status=Conversation.Status.OPEN,
        unread_count=F("unread_count") + 1,
        preview=_preview(body, media, located),
        last_message_at=Greatest(Coalesce("last_message_at", received_at), received_at),
        last_inbound_at=Greatest(Coalesce("last_inbound_at", received_at), received_at),
    )
    confirmation = None
    if creator is not None:
        event_emit(
            creator_id=creator.pk,
            name="whatsapp_replied",
            props={"campaign": message.campaign_id, "keyword": keyword, "message": message.pk},
            occurred_at=received_at,
        )
        until = received_at + WINDOW
        Creator.objects.filter(pk=creator.pk).update(
            whatsapp_window_open_until=Greatest(
                Coalesce("whatsapp_window_open_until", until), until
            )
        )
        if keyword:
            confirmation = _keyword_apply(
                conversation=conversation, creator=creator, keyword=keyword
            )
    return message, confirmation


def _keyword_apply(*, conversation: Conversation, creator: Creator, keyword: str) -> Message:
    """Deny (or grant back) WhatsApp consent with its history row, and queue the one
    confirmation, which the caller sends once this commits."""
    status = ConsentStatus.DENIED if keyword == Message.Keyword.OPT_OUT else ConsentStatus.GRANTED
    creator.refresh_from_db(fields=["consent_whatsapp", "locale"])
    if creator.consent_whatsapp != status:
        creator_consent_set(
            creator=creator,
            channel=Channel.WHATSAPP,
            status=status,
            source=ConsentChange.Source.WHATSAPP_KEYWORD,
        )
    texts = CONFIRMATIONS[Message.Keyword(keyword)]
    body = texts.get(Locale(creator.locale) if creator.locale in Locale.values else Locale.ES_MX)
    return outbound_message_create(
        conversation=conversation, body=body or texts[Locale.ES_MX], actor=None, reopen=False
    )


# --- Outbound -----------------------------------------------------------------------------------


def outbound_message_create(
    *,
    conversation: Conversation,
    actor: Actor,
    body: str = "",
    content_sid: str = "",
    variables: dict[str, str] | None = None,
    reopen: bool = True,
) -> Message:
    """An outbound message, `pending` until `message_deliver` sends it."""
    at = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        body=body,
        content_sid=content_sid,
        variables=variables or {},
        status=Message.Status.PENDING,
        sent_by=_user(actor),
        at=at,
    )
    changes: dict[str, Any] = {
        "preview": (body or _("Template %(sid)s") % {"sid": content_sid})[:200],
        "last_message_at": Greatest(Coalesce("last_message_at", at), at),
    }
    if reopen:
        changes["status"] = Conversation.Status.WAITING
    Conversation.objects.filter(pk=conversation.pk).update(**changes)
    return message


async def _send(outgoing: Outgoing) -> list[SendResult]:
    adapter = adapter_for("whatsapp")
    try:
        return await adapter.send_batch([outgoing])
    finally:
        await adapter.close()


def message_status_callback_url(*, message: Message) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('conversation-status')}?m={message.pk}"


def message_deliver(*, message: Message) -> Message:
    """Send a pending outbound message through the WhatsApp adapter, with a status callback
    naming it. It is `pending` (committed) before the call and settled after: a crash in
    between leaves it visibly pending, never sent twice."""
    conversation = message.conversation
    content: dict[str, Any] = (
        {"content_sid": message.content_sid, "variables": message.variables}
        if message.content_sid
        else {"body": message.body}
    )
    outgoing = Outgoing(
        delivery_id=message.pk,
        creator_id=conversation.creator_id or 0,
        campaign_id=0,
        locale=conversation.creator.locale if conversation.creator else Locale.ES_MX,
        content=content,
        phone=conversation.phone,
        status_callback_url=message_status_callback_url(message=message),
    )
    (result,) = async_to_sync(_send)(outgoing)
    if result.outcome == Outcome.ACCEPTED:
        # A status callback may have come first: only a pending message is moved to queued.
        Message.objects.filter(pk=message.pk).update(provider_sid=result.provider_message_id)
        Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
            status=Message.Status.QUEUED
        )
    else:
        logger.warning(
            "whatsapp reply %s not sent: %s %s %s",
            message.pk,
            result.outcome,
            result.error_code,
            result.error_message,
        )
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED, error_code=(result.error_code or result.outcome)[:64]
        )
    message.refresh_from_db()
    return message


def message_status_record(*, message_id: object, params: dict[str, str]) -> bool:
    """A verified Twilio status callback for an outbound conversation message; returns
    whether it changed anything (an unknown id, an inbound message or an older status
    changes nothing)."""
    try:
        pk = int(str(message_id))
    except ValueError:
        return False
    if not 0 < pk < 2**63:
        return False
    status = TWILIO_STATUSES.get(params.get("MessageStatus", ""))
    if status is None:
        return False
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=pk, direction=Message.Direction.OUT)
            .first()
        )
        if message is None:
            return False
        if STATUS_RANK[Message.Status(message.status)] >= STATUS_RANK[status]:
            return False
        message.status = status
        fields = ["status"]
        if status in (Message.Status.FAILED, Message.Status.UNDELIVERED):
            message.error_code = params.get("ErrorCode", "")[:64]
            fields.append("error_code")
        sid = params.get("MessageSid", "")[:64]
        if sid and not message.provider_sid:
            message.provider_sid = sid
            fields.append("provider_sid")
        message.save(update_fields=fields)
    return True


def reply_content_clean(
    *, body: str | None, content_sid: str | None, variables: dict[str, str] | None
) -> tuple[str, str, dict[str, str]]:
    """A reply's text, or template id and variables; ReplyInvalid when it is neither or both."""
    text = (body or "").strip()
    sid = (content_sid or "").strip()
    if bool(text) == bool(sid):
        raise ReplyInvalid(_("Write a message or pick a template (one of the two)."), "body")
    if sid and not CONTENT_SID.fullmatch(sid):
        raise ReplyInvalid(
            _("A template id is HX followed by 32 hexadecimal characters."), "content_sid"
        )
    if len(text) > 1600:
        raise ReplyInvalid(_("A WhatsApp message has at most 1,600 characters."), "body")
    values = {str(key): str(value) for key, value in (variables or {}).items()}
    if sid:
        reply_template_check(sid=sid, variables=values)
    return text, sid, values


def reply_template_check(*, sid: str, variables: dict[str, str]) -> None:
    """Only an approved template of the catalogue, with exactly its variables, is sent:
    ReplyTemplateNotApproved (409) for one WhatsApp has not approved, else ReplyTemplateInvalid
    (400), both with the wizard's line/cause errors."""
    errors = whatsapp_template_send_errors(sid=sid, variables=variables)
    if not errors:
        return
    if whatsapp_template_unapproved(sid=sid):
        raise ReplyTemplateNotApproved(errors)
    raise ReplyTemplateInvalid(errors)


def conversation_reply(
    *,
    conversation: Conversation,
    actor: Actor,
    body: str | None = None,
    content_sid: str | None = None,
    variables: dict[str, str] | None = None,
) -> Message:
    """Ops write to the creator: free text only while the creator's 24-hour window is open,
    an approved template (`content_sid` + `variables`) anytime. Audited; sent at once."""
    text, sid, values = reply_content_clean(body=body, content_sid=content_sid, variables=variables)
    if not conversation.phone:
        raise NoPhone()
    creator = conversation.creator
    if creator is not None:
        creator.refresh_from_db(fields=["consent_whatsapp", "whatsapp_window_open_until"])
        if creator.consent_whatsapp == ConsentStatus.DENIED:
            raise OptedOut()
    if text and not selectors.window_is_open(conversation=conversation):
        raise WindowClosed()
    with transaction.atomic():
        message = outbound_message_create(
            conversation=conversation,
            actor=actor,
            body=text,
            content_sid=sid,
            variables=values if sid else None,
        )
        audit_record(
            actor=actor,
            action="conversation.reply",
            target=conversation,
            detail={"message": message.pk, "template": sid} if sid else {"message": message.pk},
        )
    return message_deliver(message=message)


def conversation_start(*, creator: Creator) -> Conversation:
    """The creator's thread, created empty if they never wrote (ops may open with a
    template)."""
    if not creator.phone:
        raise NoPhone()
    conversation, _created = Conversation.objects.get_or_create(
        creator=creator, defaults={"phone": creator.phone}
    )
    return conversation


# --- Ops actions --------------------------------------------------------------------------------


@transaction.atomic
def conversation_assign(
    *, conversation: Conversation, actor: Actor, assignee: AbstractBaseUser | None
) -> Conversation:
    conversation.assignee = assignee  # type: ignore[assignment]
    conversation.save(update_fields=["assignee"])
    audit_record(
        actor=actor,
        action="conversation.assign",
        target=conversation,
        detail={"assignee": assignee.get_username() if assignee else None},
    )
    return conversation


@transaction.atomic
def conversation_status_set(
    *, conversation: Conversation, actor: Actor, status: str
) -> Conversation:
    """Close, reopen or mark waiting."""
    if status not in Conversation.Status.values:
        raise ReplyInvalid(_("Unknown conversation status."), "status")
    if conversation.status != status:
        conversation.status = status
        conversation.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="conversation.status",
            target=conversation,
            detail={"status": status},
        )
    return conversation


def conversation_close(*, conversation: Conversation, actor: Actor) -> Conversation:
    return conversation_status_set(
        conversation=conversation, actor=actor, status=Conversation.Status.CLOSED
    )


def conversation_reopen(*, conversation: Conversation, actor: Actor) -> Conversation:
    return conversation_status_set(
        conversation=conversation, actor=actor, status=Conversation.Status.OPEN
    )


def tags_clean(tags: Sequence[str]) -> list[str]:
    """Lower case, trimmed, unique, in order; at most 20 tags of 50 characters."""
    cleaned: list[str] = []
    for tag in tags:
        value = " ".join(str(tag).split()).lower()[:50]
        if value and value not in cleaned:
            cleaned.append(value)
    return cleaned[:20]


@transaction.atomic
def conversation_tags_set(
    *, conversation: Conversation, actor: Actor, tags: Sequence[str]
) -> Conversation:
    conversation.tags = tags_clean(tags)
    conversation.save(update_fields=["tags"])
    audit_record(
        actor=actor,
        action="conversation.tag",
        target=conversation,
        detail={"tags": conversation.tags},
    )
    return conversation


def conversation_mark_read(*, conversation: Conversation, actor: Actor) -> Conversation:
    Conversation.objects.filter(pk=conversation.pk).update(unread_count=0)
    conversation.unread_count = 0
    return conversation


@transaction.atomic
def conversation_link(
    *, conversation: Conversation, actor: Actor, creator: Creator
) -> Conversation:
    """Give an unknown number's thread to a creator. If the creator has a thread already, the
    messages move into it and the unknown one goes. Returns the creator's thread."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.creator_id is not None:
        raise ConversationLinkRefused(_("This conversation already belongs to a creator."))
    existing = Conversation.objects.select_for_update().filter(creator=creator).first()
    if not creator.phone:
        creator.phone = conversation.phone
        creator.save(update_fields=["phone"])
    if existing is None:
        conversation.creator = creator
        conversation.save(update_fields=["creator"])
        target = conversation
    else:
        Message.objects.filter(conversation=conversation).update(conversation=existing)
        latest = [at for at in (existing.last_message_at, conversation.last_message_at) if at]
        inbound = [at for at in (existing.last_inbound_at, conversation.last_inbound_at) if at]
        existing.unread_count += conversation.unread_count
        existing.last_message_at = max(latest) if latest else None
        existing.last_inbound_at = max(inbound) if inbound else None
        if (
            conversation.last_message_at
            and conversation.last_message_at == existing.last_message_at
        ):
            existing.preview = conversation.preview
        existing.tags = tags_clean([*existing.tags, *conversation.tags])
        existing.save(
            update_fields=["unread_count", "last_message_at", "last_inbound_at", "preview", "tags"]
        )
        conversation.delete()
        target = existing
    if target.last_inbound_at is not None:
        until = target.last_inbound_at + WINDOW
        Creator.objects.filter(pk=creator.pk).update(
            whatsapp_window_open_until=Greatest(
                Coalesce("whatsapp_window_open_until", until), until
            )
        )
    audit_record(
        actor=actor,
        action="conversation.link",
        target=target,
        detail={"creator": creator.handle, "phone": target.phone},
    )
    return target
