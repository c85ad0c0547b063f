"""Campaign API: create, launch, pause, resume, cancel, status. Idempotency-Key honoured on
create and launch: the same key within 24 h gets the first answer again and creates nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status

from accounts.permissions import api_permission_check
from campaigns import selectors, services
from campaigns.exceptions import (
    CampaignIncomplete,
    CampaignStateError,
    MessageInvalid,
    TemplateInvalid,
)
from campaigns.idempotency import idempotent_call
from campaigns.models import Campaign
from common.exceptions import AltavozError
from segments.models import Segment

router = Router(tags=["campaigns"])


class CampaignIn(Schema):
    name: str
    kind: Campaign.Kind
    market: str = "MX"
    segment_id: int | None = None
    default_locale: str = "es-MX"
    messages: list[dict[str, Any]] = []
    send_at: datetime | None = None


class PoliciesIn(Schema):
    """Sending policies (docs/policies.md); fields left out keep their value."""

    quiet_hours_start: time | None = None
    quiet_hours_end: time | None = None
    send_local_time: time | None = None
    spread_seconds: int | None = None
    transactional: bool | None = None
    channel_priority: list[str] | None = None
    variant_weights: dict[str, float] | None = None
    holdout_percent: Decimal | None = None
    test_percent: Decimal | None = None
    winner_metric: Literal["ctr", "or"] | None = None
    winner_after_minutes: int | None = None


class CampaignCreated(Schema):
    id: int


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    market: str
    status: str
    run: int
    channels: list[str]
    send_at: datetime | None
    counts: dict[str, dict[str, int]]
    # The run's deliveries still `unknown`: "sent" with to_check > 0 is finished with that many
    # to check (docs/dispatch.md), not all sent.
    to_check: int = 0


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, Any]] = []


def _idempotent(
    request: HttpRequest, endpoint: str, action: Callable[[], tuple[int, dict]]
) -> Status:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, body = action()
    else:
        status, body = idempotent_call(user=request.user, endpoint=endpoint, key=key, action=action)
    return Status(status, body)


@router.post("/campaigns", response={201: CampaignCreated, 400: ErrorOut, 404: ErrorOut})
def campaign_create(request: HttpRequest, payload: CampaignIn):
    api_permission_check(request, "campaigns.add_campaign")

    def create() -> tuple[int, dict]:
        segment = None
        if payload.segment_id is not None:
            segment = Segment.objects.filter(pk=payload.segment_id).first()
            if segment is None:
                return 404, {"detail": f"Segment {payload.segment_id} does not exist."}
        try:
            with transaction.atomic():
                campaign = services.campaign_create(
                    owner=request.user,
                    name=payload.name,
                    kind=payload.kind,
                    market=payload.market,
                    segment=segment,
                    default_locale=payload.default_locale,
                    messages=payload.messages,
                )
                if payload.send_at is not None:
                    services.campaign_schedule(
                        campaign=campaign, send_at=payload.send_at, actor=request.user
                    )
        except MessageInvalid as error:
            return 400, {"detail": str(error), "errors": error.errors}
        except (TemplateInvalid, CampaignStateError, CampaignIncomplete) as error:
            return 400, {"detail": str(error)}
        return 201, {"id": campaign.pk}

    return _idempotent(request, "campaign_create", create)


def _lifecycle(
    request: HttpRequest, pk: int, service: Callable[..., Campaign], endpoint: str
) -> Status:
    campaign = get_object_or_404(Campaign, pk=pk)

    def act() -> tuple[int, dict]:
        # A refusal is an answer too: kept for the key like a success, so the same key always
        # gets the same answer (config/api.py maps these errors the same way without a key).
        try:
            updated = service(campaign=campaign, actor=request.user)
        except CampaignStateError as error:
            return 409, {"detail": str(error)}
        except AltavozError as error:
            return 400, {"detail": str(error)}
        return 202, {"id": updated.pk, "status": updated.status}

    return _idempotent(request, f"{endpoint}:{pk}", act)


@router.post("/campaigns/{pk}/launch", response={202: dict, 400: ErrorOut, 409: ErrorOut})
def campaign_launch(request: HttpRequest, pk: int):
    api_permission_check(request, "campaigns.launch_campaign")
    return _lifecycle(request, pk, services.campaign_launch, "campaign_launch")


@router.post("/campaigns/{pk}/pause", response={202: dict, 400: ErrorOut, 409: ErrorOut})
def campaign_pause(request: HttpRequest, pk: int):
    api_permission_check(request, "campaigns.launch_campaign")
    return _lifecycle(request, pk, services.campaign_pause, "campaign_pause")


@router.post("/campaigns/{pk}/resume", response={202: dict, 400: ErrorOut, 409: ErrorOut})
def campaign_resume(request: HttpRequest, pk: int):
    api_permission_check(request, "campaigns.launch_campaign")
    return _lifecycle(request, pk, services.campaign_resume, "campaign_resume")


@router.post("/campaigns/{pk}/cancel", response={202: dict, 400: ErrorOut, 409: ErrorOut})
def campaign_cancel(request: HttpRequest, pk: int):
    api_permission_check(request, "campaigns.launch_campaign")
    return _lifecycle(request, pk, services.campaign_cancel, "campaign_cancel")


@router.get("/campaigns/{pk}", response=CampaignOut)
def campaign_detail(request: HttpRequest, pk: int) -> CampaignOut:
    api_permission_check(request, "campaigns.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    counts = selectors.campaign_delivery_counts(campaign=campaign)
    return CampaignOut(
        id=campaign.pk,
        name=campaign.name,
        kind=campaign.kind,
        market=campaign.market,
        status=campaign.status,
        run=campaign.last_run,
        channels=campaign.channels,
        send_at=campaign.send_at,
        counts=counts,
        to_check=sum(channel.get("unknown", 0) for channel in counts.values()),
    )


@router.put("/campaigns/{pk}/policies", response={200: dict, 400: ErrorOut})
def campaign_policies_set(request: HttpRequest, pk: int, payload: PoliciesIn):
    api_permission_check(request, "campaigns.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    policy = payload.dict(exclude_unset=True)
    try:
        updated = services.campaign_policies_set(campaign=campaign, actor=request.user, **policy)
    except (CampaignStateError, CampaignIncomplete) as error:
        return Status(400, {"detail": str(error)})
    return Status(
        200,
        {
            "id": updated.pk,
            **{name: _jsonable(getattr(updated, name)) for name in services.POLICY_FIELDS},
        },
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, time | Decimal):
        return str(value)
    return value
