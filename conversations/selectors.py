"""Selectors that read conversations: the inbox, one thread, a creator's number, the reply
figures campaign stats show (docs/conversations.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from campaigns.models import Delivery
from campaigns.models import Message as CampaignMessage
from conversations.models import Conversation, Message
from conversations.phones import phone_candidates
from creators.models import Creator
from programs.models import Enrolment
from segments.leaves import campaign_filter, since
from tracking.replies import ReplyCounts

WINDOW = timedelta(hours=24)


def creator_for_phone(*, phone: str) -> Creator | None:
    """The creator whose stored phone is `phone` (`+52…` or `+521…` for a Mexican mobile)."""
    if not phone:
        return None
    return Creator.objects.filter(phone__in=phone_candidates(phone)).order_by("pk").first()


def conversation_list(
    *,
    assignee: int | None = None,
    unassigned: bool = False,
    status: str | None = None,
    tag: str | None = None,
    campaign: int | None = None,
    program: int | None = None,
    unknown: bool | None = None,
) -> QuerySet[Conversation]:
    """The inbox: threads with at least one message, newest first, filtered as asked (each
    filter an indexed read)."""
    conversations = (
        Conversation.objects.select_related("creator", "assignee")
        .filter(last_message_at__isnull=False)
        .order_by("-last_message_at", "-id")
    )
    if assignee is not None:
        conversations = conversations.filter(assignee_id=assignee)
    elif unassigned:
        conversations = conversations.filter(assignee__isnull=True)
    if status:
        conversations = conversations.filter(status=status)
    if tag:
        conversations = conversations.filter(tags__contains=[tag])
    if campaign is not None:
        conversations = conversations.filter(
            creator_id__in=Delivery.objects.filter(campaign_id=campaign).values("creator_id")
        )
    if program is not None:
        conversations = conversations.filter(
            creator_id__in=Enrolment.objects.filter(program_id=program).values("creator_id")
        )
    if unknown is not None:
        conversations = conversations.filter(creator__isnull=unknown)
    return conversations


def conversation_for_creator(*, creator: Creator) -> Conversation | None:
    return Conversation.objects.filter(creator=creator).first()


def unread_total() -> int:
    """Threads with unread messages (the nav badge)."""
    return Conversation.objects.filter(unread_count__gt=0).count()


def window_open_until(*, conversation: Conversation) -> datetime | None:
    """Until when free text may be sent: the creator's window, or for an unknown number 24
    hours after its last message."""
    if conversation.creator is not None:
        return conversation.creator.whatsapp_window_open_until
    if conversation.last_inbound_at is None:
        return None
    return conversation.last_inbound_at + WINDOW


def window_is_open(*, conversation: Conversation, now: datetime | None = None) -> bool:
    until = window_open_until(conversation=conversation)
    return until is not None and until > (now or timezone.now())


@dataclass(frozen=True)
class ThreadItem:
    """One line of a thread: a stored message, or a campaign delivery shown in place."""

    direction: str
    body: str
    at: datetime
    delivery_id: int | None
    message: Message | None = None
    campaign_id: int | None = None
    campaign_name: str = ""
    status: str = ""
    content_sid: str = ""
    media: tuple[dict[str, Any], ...] = ()
    button_payload: str = ""
    button_text: str = ""
    sent_by: str = ""


def _delivery_body(fields: dict[str, Any]) -> tuple[str, str]:
    """The text shown for a campaign's WhatsApp message and its template id."""
    return str(fields.get("body") or ""), str(fields.get("content_sid") or "")


def thread_items(
    *, conversation: Conversation | None, creator: Creator | None = None, limit: int = 200
) -> list[ThreadItem]:
    """The last `limit` lines of a thread, oldest first: messages both ways, and the creator's
    WhatsApp campaign deliveries that have no message row of their own."""
    creator = creator or (conversation.creator if conversation else None)
    items: list[ThreadItem] = []
    shown_deliveries: set[int] = set()
    if conversation is not None:
        messages = list(
            Message.objects.filter(conversation=conversation)
            .select_related("sent_by")
            .order_by("-at", "-id")[:limit]
        )
        for message in messages:
            if message.direction == Message.Direction.OUT and message.delivery_id:
                shown_deliveries.add(message.delivery_id)
            items.append(
                ThreadItem(
                    direction=message.direction,
                    body=message.body,
                    at=message.at,
                    delivery_id=message.delivery_id,
                    message=message,
                    campaign_id=message.campaign_id,
                    status=message.status,
                    content_sid=message.content_sid,
                    media=tuple(message.media or ()),
                    button_payload=message.button_payload,
                    button_text=message.button_text,
                    sent_by=message.sent_by.get_username() if message.sent_by else "",
                )
            )
    if creator is not None:
        deliveries = list(
            Delivery.objects.filter(creator=creator, channel="whatsapp", sent_at__isnull=False)
            .select_related("campaign")
            .order_by("-sent_at", "-id")[:limit]
        )
        fields: dict[tuple[int, str, str, int], dict[str, Any]] = {}
        keys = {(d.campaign_id, d.locale, d.variant, d.step) for d in deliveries}
        if keys:
            for row in CampaignMessage.objects.filter(
                campaign_id__in={key[0] for key in keys}, channel="whatsapp"
            ).values("campaign_id", "locale", "variant", "step", "fields"):
                key = (row["campaign_id"], row["locale"], row["variant"], row["step"])
                fields[key] = row["fields"] or {}
        for delivery in deliveries:
            if delivery.pk in shown_deliveries:
                continue
            body, content_sid = _delivery_body(
                fields.get(
                    (delivery.campaign_id, delivery.locale, delivery.variant, delivery.step), {}
                )
            )
            assert delivery.sent_at is not None
            items.append(
                ThreadItem(
                    direction=Message.Direction.OUT,
                    body=body,
                    at=delivery.sent_at,
                    delivery_id=delivery.pk,
                    campaign_id=delivery.campaign_id,
                    campaign_name=delivery.campaign.name,
                    status=delivery.status,
                    content_sid=content_sid,
                )
            )
    items.sort(key=lambda item: (item.at, item.message.pk if item.message else 0))
    return items[-limit:]


def reply_counts(campaign_id: int) -> ReplyCounts:
    """What the creators answered to a campaign's WhatsApp deliveries, recounted from the
    stored messages (index `message_campaign`): deliveries answered with a reply, deliveries
    answered with an opt-out keyword, and quick-reply button presses per payload."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(DISTINCT delivery_id) FILTER (WHERE keyword = ''),"
            f" COUNT(DISTINCT delivery_id) FILTER (WHERE keyword = %s)"
            f" FROM {table} WHERE campaign_id = %s AND direction = 'in'",
            [Message.Keyword.OPT_OUT.value, campaign_id],
        )
        replied, opted_out = cursor.fetchone()
        cursor.execute(
            f"SELECT button_payload, COUNT(*) FROM {table} WHERE campaign_id = %s"
            " AND direction = 'in' AND button_payload <> '' GROUP BY 1 ORDER BY 2 DESC, 1",
            [campaign_id],
        )
        buttons = {payload: count for payload, count in cursor.fetchall()}
    return ReplyCounts(replied=replied, opted_out=opted_out, buttons=buttons)


def reply_times_sql() -> str:
    """(delivery_id, replied_at) of a campaign's WhatsApp deliveries answered, keywords aside,
    with the first answer's time; one `%s`: the campaign id (index `message_campaign`). The
    deliveries export (tracking/exports.py) joins it."""
    table = Message._meta.db_table
    return (
        f"SELECT delivery_id, MIN(at) AS replied_at FROM {table} WHERE campaign_id = %s"
        " AND direction = 'in' AND keyword = '' AND delivery_id IS NOT NULL GROUP BY delivery_id"
    )


def replied_exists_sql(campaign: Any, alias: str) -> str:
    """SQL true when the creator in `<alias>.creator_id` answered one of the campaign's
    WhatsApp deliveries (keywords aside): the `replied` sequence exit rule."""
    messages, deliveries = Message._meta.db_table, Delivery._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {messages} rm JOIN {deliveries} rd ON rd.id = rm.delivery_id"
        f" WHERE rm.campaign_id = {int(campaign.pk)} AND rm.direction = 'in'"
        f" AND rm.keyword = '' AND rd.creator_id = {alias}.creator_id)"
    )


def step_replied_exists_sql(campaign: Any, run: int, step: int, alias: str) -> str:
    """SQL true when the creator in `<alias>.creator_id` answered, at or before the `%s`
    parameter, their WhatsApp delivery of the campaign's `step` (0: its own send) in `run`,
    keywords aside: a sequence step's `replied` / `not_replied` condition."""
    messages, deliveries = Message._meta.db_table, Delivery._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {deliveries} rd JOIN {messages} rm ON rm.delivery_id = rd.id"
        f" WHERE rd.campaign_id = {int(campaign.pk)} AND rd.run = {int(run)}"
        f" AND rd.step = {int(step)} AND rd.channel = 'whatsapp'"
        f" AND rd.creator_id = {alias}.creator_id"
        f" AND rm.direction = 'in' AND rm.keyword = '' AND rm.at <= %s)"
    )


def replied_campaign_since_exists(campaign_id: int, since: datetime) -> Exists:
    """Segment field `whatsapp_replied_campaign_days`: the creator (the outer query's row)
    replied, keywords aside, to a WhatsApp message of campaign `campaign_id` at or after
    `since`. One EXISTS over the messages, inside the segment's own statement."""
    return Exists(
        Message.objects.filter(
            direction=Message.Direction.IN,
            keyword="",
            campaign_id=campaign_id,
            at__gte=since,
            conversation__creator_id=OuterRef("pk"),
        )
    )


def replied_behaviour_q(params: Mapping[str, Any], now: datetime) -> Q:
    """Segment leaf `{"behaviour": "replied", ...}`: the creator replied on WhatsApp
    (keywords aside) to a message of the campaign, or of any campaign of the kind (or of any
    campaign), within the window. One EXISTS over the messages, in the segment's statement."""
    messages = Message.objects.filter(
        campaign_filter(params),
        direction=Message.Direction.IN,
        keyword="",
        campaign__isnull=False,
        conversation__creator_id=OuterRef("pk"),
    )
    start = since(params, now)
    if start is not None:
        messages = messages.filter(at__gte=start)
    return Q(Exists(messages))


def replied_at_creator_ids(condition: Q | None) -> QuerySet:
    """Segment field `whatsapp_replied_at`: creators whose last WhatsApp reply (keywords
    aside) meets `condition` (a Q over `value`), as a subquery of ids."""
    replies = (
        Message.objects.filter(
            direction=Message.Direction.IN, keyword="", conversation__creator__isnull=False
        )
        .values("conversation__creator_id")
        .annotate(value=Max("at"))
    )
    if condition is not None:
        replies = replies.filter(condition)
    return replies.values("conversation__creator_id")


def replied_campaign_creator_ids(condition: Q | None) -> QuerySet:
    """Segment field `whatsapp_replied_campaign`: creators who replied to a WhatsApp message
    of a campaign whose id meets `condition` (a Q over `value`)."""
    replies = Message.objects.filter(
        direction=Message.Direction.IN,
        keyword="",
        campaign__isnull=False,
        conversation__creator__isnull=False,
    ).annotate(value=F("campaign_id"))
    if condition is not None:
        replies = replies.filter(condition)
    return replies.values("conversation__creator_id")
