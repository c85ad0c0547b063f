"""Tracking API: campaign stats for ops, push-open reports and the inbox for the creator app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import HttpBearer

from accounts.permissions import api_permission_check
from campaigns.models import Campaign
from channels.models import InboxMessage
from common.schemas import ApiSchema, ErrorOut, error_responses
from creators.models import Creator
from tracking import selectors, services
from tracking.tokens import TokenRefused, push_token_read

stats_router = Router(tags=["tracking"])
app_router = Router(tags=["creator app"])


class ChannelStats(Schema):
    targeted: int
    sent: int
    delivered: int
    failed: int
    unique_opens: int
    unique_clicks: int
    machine_opens: int
    bot_clicks: int
    open_rate: float
    click_rate: float
    replied: int = Field(description="WhatsApp deliveries the creator answered (keywords apart).")
    reply_rate: float = Field(description="Replied ÷ sent.")
    opted_out: int = Field(description="WhatsApp deliveries answered with an opt-out keyword.")


class CampaignStatsOut(Schema):
    totals: ChannelStats
    channels: dict[str, ChannelStats]
    buttons: dict[str, int] = Field(
        description="WhatsApp quick-reply button presses per payload, most pressed first."
    )


@stats_router.get(
    "/campaigns/{pk}/stats",
    response={200: CampaignStatsOut, **error_responses(400, 401, 403, 404)},
)
def campaign_stats(request: HttpRequest, pk: int) -> dict[str, Any]:
    api_permission_check(request, "campaigns.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return selectors.campaign_stats_get(campaign=campaign, detail=False).api()


class PushOpenIn(ApiSchema):
    token: str = Field(..., max_length=4096)


@app_router.post("/track/push-open", auth=None, response={204: None, **error_responses(400, 403)})
def push_open(request: HttpRequest, payload: PushOpenIn):
    """Only a push's own `tracking_token` (forged, expired or another purpose's: 403)."""
    delivery_id = push_token_read(payload.token)
    if delivery_id is None:
        return Status(403, {"detail": gettext("Unknown or expired push token.")})
    try:
        services.push_open_record(
            delivery_id=delivery_id,
            user_agent=request.headers.get("User-Agent", ""),
            ip=request.META.get("REMOTE_ADDR", ""),
        )
    except TokenRefused as error:
        return Status(403, {"detail": str(error)})
    return Status(204, None)


class CreatorAppToken(HttpBearer):
    """The creator app's bearer token names one creator (tracking.tokens); expired or
    revoked tokens get 401 (`tracking.selectors.creator_for_app_token`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Creator | None:
        return selectors.creator_for_app_token(token=token)


class CreatorAppRequest(HttpRequest):
    """A request `CreatorAppToken` let in: `auth` is the creator whose app token it carries."""

    auth: Creator


class InboxMessageOut(Schema):
    id: int
    title: str
    body: str
    cta_label: str
    cta_link: str
    created_at: datetime
    read_at: datetime | None


@app_router.get(
    "/inbox", auth=CreatorAppToken(), response={200: list[InboxMessageOut], 401: ErrorOut}
)
def inbox_list(request: CreatorAppRequest):
    return list(
        InboxMessage.objects.filter(creator=request.auth).order_by("-created_at", "-id")[:100]
    )


@app_router.post(
    "/inbox/{pk}/read",
    auth=CreatorAppToken(),
    response={200: InboxMessageOut, **error_responses(400, 401, 404)},
)
def inbox_read(request: CreatorAppRequest, pk: int):
    message = get_object_or_404(InboxMessage, pk=pk, creator=request.auth)
    services.inbox_message_read(
        message=message,
        user_agent=request.headers.get("User-Agent", ""),
        ip=request.META.get("REMOTE_ADDR", ""),
    )
    message.refresh_from_db()
    return message
