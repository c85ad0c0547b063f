"""Campaign API: create, launch, pause, resume, cancel, status. Idempotency-Key honoured on
create and launch: the same key within 24 h gets the first answer again and creates nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import CharField, Model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, StrictBool, StrictFloat, StrictInt, StringConstraints

from accounts.permissions import api_permission_check
from campaigns import selectors, services, triggers
from campaigns.exceptions import (
    CampaignIncomplete,
    CampaignStateError,
    MessageInvalid,
    TemplateInvalid,
    TriggerInvalid,
)
from campaigns.idempotency import idempotent_call
from campaigns.models import Campaign, CampaignFiring, Message
from common.exceptions import AltavozError
from common.http import TokenHttpRequest
from common.markets import MarketCode
from common.schemas import UNION_TAGS, ApiSchema, IsoDateTime, IsoTime, error_responses
from creators.models import Channel, Locale
from segments.models import Segment

router = Router(tags=["campaigns"])


def _max_length(model: type[Model], field: str) -> int:
    model_field = model._meta.get_field(field)
    assert isinstance(model_field, CharField) and model_field.max_length is not None
    return model_field.max_length


# Text a message cannot go without: at least one character that is not a blank.
Required = Annotated[str, StringConstraints(pattern=r"\S")]
Variant = Annotated[
    str, StringConstraints(max_length=_max_length(Message, "variant"), pattern=r"^[A-Za-z0-9_-]*$")
]


class _MessageBase(ApiSchema):
    locale: Locale
    variant: Variant = Field("", description="The A/B variant key (`A`, `B`); empty: none.")


class EmailMessageIn(_MessageBase):
    """Needs a subject and an HTML or a plain-text body (docs/templates.md)."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["html"], "properties": {"html": {"pattern": r"\S"}}},
                {"required": ["text"], "properties": {"text": {"pattern": r"\S"}}},
            ]
        }
    )
    channel: Literal["email"]
    subject: Required
    preheader: str | None = None
    html: str | None = None
    text: str | None = None


class WhatsAppMessageIn(_MessageBase):
    """An approved template (`content_sid` and its `variables`), free text (`body`), or both.

    Free text reaches only creators inside their WhatsApp 24-hour window: with both, those
    inside get the body and the others the template; with a body only, creators outside the
    window are not sent WhatsApp (left out as `outside_whatsapp_window`, or the next channel
    of the priority)."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["content_sid"], "properties": {"content_sid": {"pattern": r"\S"}}},
                {"required": ["body"], "properties": {"body": {"pattern": r"\S"}}},
            ]
        }
    )
    channel: Literal["whatsapp"]
    content_sid: str | None = None
    variables: dict[str, str] | None = None
    body: str | None = None


class PushMessageIn(_MessageBase):
    channel: Literal["push"]
    title: Required
    body: Required
    link: str | None = None
    image: str | None = None


class InboxMessageIn(_MessageBase):
    channel: Literal["inbox"]
    title: Required
    body: Required
    cta_label: str | None = None
    cta_link: str | None = None


UNION_TAGS.update(Channel.values)
MessageIn = Annotated[
    EmailMessageIn | WhatsAppMessageIn | PushMessageIn | InboxMessageIn,
    Field(discriminator="channel"),
]


class EveryDaysIn(ApiSchema):
    every_days: StrictInt = Field(..., ge=1, le=3650)


class TriggerIn(ApiSchema):
    """Send when a creator's event happens (docs/triggers.md): `where` is a rule tree of the
    segment rule language over the event's props; `repeat` says how often one creator gets it:
    once ever, every time, or at most once per N days. `POST …/launch` arms the campaign,
    `…/cancel` disarms it."""

    event: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,99}$")] = Field(
        ..., description="The event name, such as `sale_made`."
    )
    where: dict[str, Any] | None = Field(
        None,
        description='Conditions on props, e.g. `{"field": "amount", "op": "gte", "value": 100}`.',
    )
    repeat: Literal["once", "always"] | EveryDaysIn = "once"


class CampaignIn(ApiSchema):
    name: Annotated[str, StringConstraints(max_length=_max_length(Campaign, "name"), pattern=r"\S")]
    kind: Campaign.Kind
    market: MarketCode = Field("MX", description="A market's code (common/markets.py).")
    segment_id: StrictInt | None = Field(None, ge=1, le=2**31 - 1)
    default_locale: Locale = Locale.ES_MX
    messages: list[MessageIn] = []
    send_at: IsoDateTime | None = None
    trigger: TriggerIn | None = Field(
        None, description="Make it a triggered campaign; `segment_id` then filters who gets it."
    )


class PoliciesIn(ApiSchema):
    """Sending policies (docs/policies.md); fields left out keep their value."""

    quiet_hours_start: IsoTime | None = None
    quiet_hours_end: IsoTime | None = None
    send_local_time: IsoTime | None = None
    spread_seconds: StrictInt | None = Field(None, ge=0, le=2**31 - 1)
    transactional: StrictBool | None = None
    channel_priority: list[Channel] | None = None
    variant_weights: dict[Variant, StrictFloat] | None = None
    holdout_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    test_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    winner_metric: Literal["ctr", "or"] | None = None
    winner_after_minutes: StrictInt | None = Field(None, ge=0, le=2**31 - 1)
    busy_firing: Campaign.BusyFiring | None = Field(
        None,
        description="A recurring firing while the previous run is still open: `skip` it "
        "(recorded with the reason) or `queue` it until that run finishes.",
    )


class CampaignCreated(Schema):
    id: int


class CampaignStatusOut(Schema):
    id: int
    status: Campaign.Status


class PoliciesOut(Schema):
    id: int
    quiet_hours_start: str | None
    quiet_hours_end: str | None
    send_local_time: str | None
    spread_seconds: int
    transactional: bool
    channel_priority: list[str]
    variant_weights: dict[str, float]
    holdout_percent: str
    test_percent: str
    winner_metric: str
    winner_after_minutes: int
    busy_firing: str


class FiringOut(Schema):
    fired_at: datetime
    outcome: CampaignFiring.Outcome
    reason: str = Field(
        description="A code (empty unless skipped): run_open, paused, not_scheduled, cancelled."
    )
    run: int | None
    started_at: datetime | None


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
    # A triggered campaign: its trigger, and its matched events by outcome (sent, skipped why).
    trigger: dict[str, Any] | None = None
    events: dict[str, int] = {}


def _idempotent(
    request: TokenHttpRequest, endpoint: str, action: Callable[[], tuple[int, dict]]
) -> Status:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, body = action()
    else:
        status, body = idempotent_call(user=request.user, endpoint=endpoint, key=key, action=action)
    return Status(status, body)


@router.post(
    "/campaigns",
    response={201: CampaignCreated, **error_responses(400, 401, 403, 404)},
)
def campaign_create(request: TokenHttpRequest, payload: CampaignIn):
    api_permission_check(request, "campaigns.add_campaign")

    def create() -> tuple[int, dict]:
        segment = None
        if payload.segment_id is not None:
            segment = Segment.objects.filter(pk=payload.segment_id).first()
            if segment is None:
                detail = _("Segment %(id)d does not exist.") % {"id": payload.segment_id}
                return 404, {"detail": detail, "path": "segment_id"}
        try:
            with transaction.atomic():
                campaign = services.campaign_create(
                    owner=request.user,
                    name=payload.name,
                    kind=payload.kind,
                    market=payload.market,
                    segment=segment,
                    default_locale=payload.default_locale,
                    messages=[
                        message.model_dump(mode="json", exclude_none=True)
                        for message in payload.messages
                    ],
                )
                if payload.trigger is not None:
                    triggers.campaign_trigger_set(
                        campaign=campaign,
                        trigger=payload.trigger.model_dump(mode="json"),
                        actor=request.user,
                    )
                if payload.send_at is not None:
                    services.campaign_schedule(
                        campaign=campaign, send_at=payload.send_at, actor=request.user
                    )
        except TriggerInvalid as error:
            return 400, {"detail": str(error), "path": error.path}
        except MessageInvalid as error:
            path = _message_error_path(payload.messages, error.errors[0])
            return 400, {"detail": str(error), "path": path, "errors": error.errors}
        except (TemplateInvalid, CampaignStateError, CampaignIncomplete) as error:
            path = "send_at" if payload.send_at is not None else ""
            return 400, {"detail": str(error), "path": path}
        return 201, {"id": campaign.pk}

    return _idempotent(request, "campaign_create", create)


def _message_error_path(messages: list[Any], error: dict[str, Any]) -> str:
    """`messages[1].body` for the first problem MessageInvalid reports."""
    for index, message in enumerate(messages):
        if (message.channel, message.locale) == (error["channel"], error["locale"]):
            return f"messages[{index}].{error['field']}"
    return "messages"


def _lifecycle(
    request: TokenHttpRequest, pk: int, service: Callable[..., Campaign], endpoint: str
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


@router.post(
    "/campaigns/{pk}/launch",
    response={202: CampaignStatusOut, **error_responses(400, 401, 403, 404, 409)},
)
def campaign_launch(request: TokenHttpRequest, pk: int):
    api_permission_check(request, "campaigns.launch_campaign")
    return _lifecycle(request, pk, services.campaign_launch, "campaign_launch")


@router.post(
    "/campaigns/{pk}/pause",
    response={202: CampaignStatusOut, **error_responses(400, 401, 403, 404, 409)},
)
def campaign_pause(request: TokenHttpRequest, pk: int):
    api_permission_check(request, "campaigns.launch_campaign")
    return _lifecycle(request, pk, services.campaign_pause, "campaign_pause")


@router.post(
    "/campaigns/{pk}/resume",
    response={202: CampaignStatusOut, **error_responses(400, 401, 403, 404, 409)},
)
def campaign_resume(request: TokenHttpRequest, pk: int):
    api_permission_check(request, "campaigns.launch_campaign")
    return _lifecycle(request, pk, services.campaign_resume, "campaign_resume")


@router.post(
    "/campaigns/{pk}/cancel",
    response={202: CampaignStatusOut, **error_responses(400, 401, 403, 404, 409)},
)
def campaign_cancel(request: TokenHttpRequest, pk: int):
    api_permission_check(request, "campaigns.launch_campaign")
    return _lifecycle(request, pk, services.campaign_cancel, "campaign_cancel")


@router.get("/campaigns/{pk}", response={200: CampaignOut, **error_responses(400, 401, 403, 404)})
def campaign_detail(request: TokenHttpRequest, pk: int) -> CampaignOut:
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
        trigger=campaign.trigger or None,
        events=selectors.trigger_outcome_counts(campaign=campaign) if campaign.trigger else {},
    )


@router.get(
    "/campaigns/{pk}/firings",
    response={200: list[FiringOut], **error_responses(400, 401, 403, 404)},
)
def campaign_firings(request: TokenHttpRequest, pk: int) -> list[FiringOut]:
    """The latest 50 firings of the campaign's schedule, newest first, and what came of each."""
    api_permission_check(request, "campaigns.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return [
        FiringOut(
            fired_at=firing.fired_at,
            outcome=CampaignFiring.Outcome(firing.outcome),
            reason=firing.reason,
            run=firing.run,
            started_at=firing.started_at,
        )
        for firing in selectors.campaign_firings_get(campaign=campaign)
    ]


@router.put(
    "/campaigns/{pk}/policies",
    response={200: PoliciesOut, **error_responses(400, 401, 403, 404, 409)},
)
def campaign_policies_set(request: TokenHttpRequest, pk: int, payload: PoliciesIn):
    api_permission_check(request, "campaigns.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    policy = payload.dict(exclude_unset=True)
    try:
        updated = services.campaign_policies_set(campaign=campaign, actor=request.user, **policy)
    except CampaignStateError as error:
        return Status(409, {"detail": str(error)})
    except CampaignIncomplete as error:
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
