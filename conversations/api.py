"""Conversations API: the inbox, a creator's thread, and replying to a creator on WhatsApp
(docs/conversations.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from accounts.permissions import api_permission_check
from common.schemas import ApiSchema, error_responses
from conversations import selectors, services
from conversations.exceptions import ReplyTemplateInvalid, ReplyTemplateNotApproved
from conversations.models import Conversation
from creators.models import Creator

router = Router(tags=["conversations"])


class ConversationOut(Schema):
    id: int
    creator: str | None = Field(description="The creator's handle; null for an unknown number.")
    phone: str
    status: str
    assignee: str | None
    tags: list[str]
    unread_count: int
    preview: str
    last_message_at: datetime | None
    last_inbound_at: datetime | None
    window_open_until: datetime | None = Field(
        description="Until when free text may be sent (24 h after the creator's last message)."
    )


class ConversationPage(Schema):
    count: int
    items: list[ConversationOut]


class ConversationFilters(Schema):
    assignee: str | None = Field(None, description="An ops user's username.", max_length=150)
    # A literal, not the model's enum: OpenAPI would name its schema "Status", as another is.
    status: Literal["open", "waiting", "closed"] | None = None
    tag: str | None = Field(None, max_length=50)
    campaign: int | None = Field(None, ge=1, le=2**63 - 1)
    program: int | None = Field(None, ge=1, le=2**63 - 1)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class MediaOut(Schema):
    url: str
    content_type: str


class MessageOut(Schema):
    id: int | None = Field(description="Null for a campaign delivery shown in place.")
    direction: str = Field(description="`in` (from the creator) or `out` (to the creator).")
    body: str
    at: datetime
    delivery_id: int | None = Field(description="The campaign delivery it is, or answers.")
    campaign_id: int | None
    status: str
    content_sid: str
    media: list[MediaOut]
    button_payload: str
    button_text: str


class ThreadOut(Schema):
    creator: str
    conversation_id: int | None
    status: str | None
    window_open_until: datetime | None
    messages: list[MessageOut]


class ReplyIn(ApiSchema):
    body: Annotated[str, StringConstraints(max_length=1600)] | None = None
    content_sid: Annotated[str, StringConstraints(pattern=r"^HX[0-9a-fA-F]{32}$")] | None = None
    variables: (
        dict[
            Annotated[str, StringConstraints(max_length=20)],
            Annotated[str, StringConstraints(max_length=1000)],
        ]
        | None
    ) = Field(None, max_length=50)


def _conversation_out(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.pk,
        "creator": conversation.creator.handle if conversation.creator else None,
        "phone": conversation.phone,
        "status": conversation.status,
        "assignee": conversation.assignee.get_username() if conversation.assignee else None,
        "tags": list(conversation.tags),
        "unread_count": conversation.unread_count,
        "preview": conversation.preview,
        "last_message_at": conversation.last_message_at,
        "last_inbound_at": conversation.last_inbound_at,
        "window_open_until": selectors.window_open_until(conversation=conversation),
    }


def _message_out(item: selectors.ThreadItem) -> dict[str, Any]:
    return {
        "id": item.message.pk if item.message else None,
        "direction": item.direction,
        "body": item.body,
        "at": item.at,
        "delivery_id": item.delivery_id,
        "campaign_id": item.campaign_id,
        "status": item.status,
        "content_sid": item.content_sid,
        "media": [
            {"url": str(m.get("url", "")), "content_type": str(m.get("content_type", ""))}
            for m in item.media
        ],
        "button_payload": item.button_payload,
        "button_text": item.button_text,
    }


@router.get("/conversations", response={200: ConversationPage, **error_responses(400, 401, 403)})
def conversation_list(request: HttpRequest, filters: Query[ConversationFilters]):
    """The inbox, newest first; filters by assignee, status, tag, campaign and program."""
    api_permission_check(request, "conversations.view_conversation")
    assignee_id = None
    if filters.assignee:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=filters.assignee).first()
        assignee_id = user.pk if user else 0
    conversations = selectors.conversation_list(
        assignee=assignee_id,
        status=filters.status,
        tag=filters.tag,
        campaign=filters.campaign,
        program=filters.program,
    )
    page = conversations[filters.offset : filters.offset + filters.limit]
    return {"count": conversations.count(), "items": [_conversation_out(c) for c in page]}


def _thread(creator: Creator) -> dict[str, Any]:
    conversation = selectors.conversation_for_creator(creator=creator)
    items = selectors.thread_items(conversation=conversation, creator=creator)
    return {
        "creator": creator.handle,
        "conversation_id": conversation.pk if conversation else None,
        "status": conversation.status if conversation else None,
        "window_open_until": creator.whatsapp_window_open_until,
        "messages": [_message_out(item) for item in items],
    }


@router.get(
    "/creators/{handle}/conversation",
    response={200: ThreadOut, **error_responses(400, 401, 403, 404)},
)
def creator_conversation(request: HttpRequest, handle: str):
    """The creator's WhatsApp thread, newest last: messages both ways and their campaign
    deliveries (`delivery_id`)."""
    api_permission_check(request, "conversations.view_conversation")
    return _thread(get_object_or_404(Creator, handle=handle))


@router.post(
    "/creators/{handle}/conversation",
    response={201: MessageOut, **error_responses(400, 401, 403, 404, 409)},
)
def creator_conversation_reply(request: HttpRequest, handle: str, payload: ReplyIn):
    """Write to the creator: `{"body"}` while their 24-hour window is open (else 409),
    `{"content_sid", "variables"}` (an approved template of the catalogue, with exactly its
    variables) anytime. 400 with line/cause `errors` for a template not in the catalogue or
    wrong variables, 409 (with `errors`) for one WhatsApp has not approved; 409 too when they
    opted out or have no number."""
    api_permission_check(
        request, "conversations.view_conversation", "conversations.change_conversation"
    )
    creator = get_object_or_404(Creator, handle=handle)
    try:
        services.reply_content_clean(
            body=payload.body, content_sid=payload.content_sid, variables=payload.variables
        )
        conversation = services.conversation_start(creator=creator)
        message = services.conversation_reply(
            conversation=conversation,
            actor=request.user,
            body=payload.body,
            content_sid=payload.content_sid,
            variables=payload.variables,
        )
    except (ReplyTemplateInvalid, ReplyTemplateNotApproved) as error:
        status = 409 if isinstance(error, ReplyTemplateNotApproved) else 400
        return Status(status, {"detail": str(error), "path": error.path, "errors": error.errors})
    item = selectors.ThreadItem(
        direction=message.direction,
        body=message.body,
        at=message.at,
        delivery_id=message.delivery_id,
        message=message,
        campaign_id=message.campaign_id,
        status=message.status,
        content_sid=message.content_sid,
    )
    return Status(201, _message_out(item))
