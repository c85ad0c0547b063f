"""POST /api/events: one event or a batch of up to 1,000, each answered on its own.

The body is read and checked here rather than by django-ninja's body parameter: ninja's
`Schema` wraps every value of every item (1,000 events a request) and its answer schema does
the same on the way out, which cost more than recording the events. The checks are the same
(a plain pydantic model with the fields and types the schema documents, unknown fields
refused, text PostgreSQL cannot store refused with its path), refusals have the API's usual
400 shape, and the operation's request and answer are documented in the OpenAPI schema.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import BaseModel, ConfigDict, StrictStr, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from accounts.permissions import api_permission_check
from common.schemas import UNSTORABLE_TEXT, error_responses, unstorable_text_find
from events.models import IDEMPOTENCY_KEY_MAX_LENGTH, Event
from events.services import EventIn, EventStatus, events_record, refusal_message

router = Router(tags=["events"])

BATCH_MAX = 1000


class EventInSchema(BaseModel):
    """One event as posted (documented in the schema; checked by pydantic-core directly)."""

    model_config = ConfigDict(extra="forbid")

    creator: StrictStr = Field(..., description="The creator's handle.")
    name: StrictStr = Field(
        ...,
        description="A lower-case identifier: a letter, then letters, digits or underscores, "
        "at most 64 characters (`sale_made`). Any other name is refused with `bad_name`.",
    )
    props: dict[str, Any] = Field(
        default={},
        description="Anything about the event, as a JSON object of at most 16 KB "
        "(`props_too_large` beyond).",
    )
    occurred_at: StrictStr | None = Field(
        default=None,
        description="When it happened, ISO 8601 with a time zone (`2026-12-05T10:00:00-06:00`); "
        "absent: when it arrives. Refused with `bad_occurred_at` when not such a time, older "
        "than the retention (EVENTS_RETENTION_DAYS) or more than EVENTS_MAX_FUTURE_DAYS ahead.",
    )
    idempotency_key: (
        Annotated[StrictStr, Field(min_length=1, max_length=IDEMPOTENCY_KEY_MAX_LENGTH)] | None
    ) = Field(
        default=None,
        description="An event with a key seen before (within the retention) is a `duplicate` "
        "and changes nothing.",
    )


_ONE = TypeAdapter(EventInSchema)
_MANY = TypeAdapter(list[EventInSchema])


def _request_body_schema() -> dict[str, Any]:
    one = EventInSchema.model_json_schema()
    many = {"type": "array", "items": one, "maxItems": BATCH_MAX}
    return {
        "required": True,
        "content": {"application/json": {"schema": {"anyOf": [one, many]}}},
    }


class EventResultOut(Schema):
    index: int = Field(..., description="The event's place in the batch, from 0.")
    status: Literal["accepted", "duplicate", "refused"]
    id: int | None = Field(
        None, description="accepted: the new event's id; duplicate: the id the key recorded."
    )
    reason: (
        Literal[
            "unknown_creator",
            "bad_name",
            "bad_props",
            "props_too_large",
            "bad_occurred_at",
            "bad_idempotency_key",
        ]
        | None
    ) = Field(None, description="refused: why, as a code.")
    detail: str = Field("", description="refused: why, in the user's language.")


class EventsOut(Schema):
    accepted: int
    duplicate: int
    refused: int
    results: list[EventResultOut]


# Text PostgreSQL cannot store reaches Python only through a JSON escape: \u0000, or a
# surrogate (\ud800-\udfff) that may be lone. Bodies without one skip the deep search.
_SUSPECT_ESCAPE = re.compile(rb"\\u(0000|[dD][89a-fA-F])")


def _invalid(errors: list[dict[str, Any]]) -> ValidationError:
    return ValidationError(errors)


def _events_parse(body: bytes) -> list[EventInSchema]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _invalid(
            [{"type": "json_invalid", "loc": ("body",), "msg": _("The body is not JSON.")}]
        ) from None
    if isinstance(data, list) and len(data) > BATCH_MAX:
        raise HttpError(400, _("At most %(max)d events a request.") % {"max": BATCH_MAX})
    if _SUSPECT_ESCAPE.search(body):
        subpath = unstorable_text_find(data)
        if subpath is not None:
            raise _invalid(
                [
                    {
                        "type": UNSTORABLE_TEXT,
                        "loc": ("body", "payload"),
                        "msg": "",
                        "ctx": {"subpath": subpath},
                    }
                ]
            )
    try:
        if isinstance(data, dict):
            return [_ONE.validate_python(data)]
        if isinstance(data, list):
            return _MANY.validate_python(data)
    except PydanticValidationError as error:
        raise _invalid(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in error.errors()]
        ) from None
    raise _invalid(
        [
            {
                "type": "model_type",
                "loc": ("body",),
                "msg": _("Send one event as a JSON object, or an array of them."),
            }
        ]
    )


@router.post(
    "/events",
    response={202: EventsOut, **error_responses(400, 401, 403, 413)},
    openapi_extra={"requestBody": _request_body_schema()},
)
def events_post(request: HttpRequest) -> JsonResponse:
    """Record what creators did (docs/events.md): one event as a JSON object, or up to 1,000
    as an array. 202 with one result per event, in order: accepted, duplicate (its
    idempotency key was seen before) or refused with the reason (unknown creator, bad name,
    props over 16 KB, bad occurred_at). A batch over 1,000 is refused whole with 400, and a
    body over the size limit (DATA_UPLOAD_MAX_MEMORY_SIZE) with 413. Accepted events reach
    triggered campaigns."""
    api_permission_check(request, "events.add_event")
    items = _events_parse(request.body)
    results = events_record(
        events=[
            EventIn(
                name=item.name,
                creator_handle=item.creator,
                props=item.props,
                occurred_at=item.occurred_at,
                idempotency_key=item.idempotency_key,
            )
            for item in items
        ],
        source=Event.Source.API,
    )
    counts = dict.fromkeys(EventStatus, 0)
    messages: dict[str, str] = {}
    out = []
    for index, result in enumerate(results):
        counts[result.status] += 1
        reason = result.reason
        if reason is not None and reason not in messages:
            messages[reason] = refusal_message(reason)
        out.append(
            {
                "index": index,
                "status": result.status.value,
                "id": result.id,
                "reason": reason.value if reason is not None else None,
                "detail": messages[reason] if reason is not None else "",
            }
        )
    return JsonResponse(
        {
            "accepted": counts[EventStatus.ACCEPTED],
            "duplicate": counts[EventStatus.DUPLICATE],
            "refused": counts[EventStatus.REFUSED],
            "results": out,
        },
        status=202,
    )
