"""Segments over the JSON API: create (rules or a list of handles) and preview."""

from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from accounts.permissions import api_permission_check
from common.http import TokenHttpRequest
from common.schemas import ApiSchema, error_responses
from creators.models import Creator
from segments import selectors, services
from segments.exceptions import SegmentRulesInvalid
from segments.models import Segment

router = Router(tags=["segments"])

PREVIEW_SAMPLE_SIZE = 10


# Not blank: a segment's name has a character that is not a space.
SegmentName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=Segment._meta.get_field("name").max_length,
        pattern=r"\S",
    ),
]
# A creator's handle, with or without its leading @ (blanks around it are trimmed).
Handle = Annotated[
    str,
    StringConstraints(
        max_length=Creator._meta.get_field("handle").max_length + 1, pattern=r"[^\s@]"
    ),
]


class SegmentIn(ApiSchema):
    name: SegmentName
    # Any JSON, documented as an object: the rule checker, not the schema, reports a bad
    # node with its path inside the rules (`all[1].op`; "" for the whole tree).
    rules: Any = Field(
        ...,
        description=(
            'Rule tree of field leaves and behaviour leaves ({"behaviour": "clicked", '
            '"campaign_id": 12, "within_days": 7}); see docs/segments.md. A refused '
            "node's `path` is inside it."
        ),
        json_schema_extra={"type": "object"},
    )
    description: str = ""


class StaticSegmentIn(ApiSchema):
    name: SegmentName
    handles: list[Handle] = Field(..., min_length=1)
    description: str = ""


class SegmentCreated(Schema):
    id: int
    count: int


class StaticSegmentCreated(Schema):
    id: int
    count: int
    unknown_handles: list[str]


class SegmentPreview(Schema):
    count: int
    sample: list[str]


@router.post("/segments", response={201: SegmentCreated, **error_responses(400, 401, 403)})
def segment_create(request: TokenHttpRequest, payload: SegmentIn) -> Status:
    api_permission_check(request, "segments.add_segment")
    try:
        segment = services.segment_create(
            name=payload.name,
            rules=payload.rules,
            description=payload.description,
            created_by=request.auth,
        )
    except SegmentRulesInvalid as error:
        return Status(400, {"detail": str(error), "path": error.path})
    return Status(201, {"id": segment.pk, "count": selectors.segment_count(segment)})


@router.post(
    "/segments/static", response={201: StaticSegmentCreated, **error_responses(400, 401, 403)}
)
def segment_static_create(request: TokenHttpRequest, payload: StaticSegmentIn) -> Status:
    api_permission_check(request, "segments.add_segment")
    result = services.segment_static_create(
        name=payload.name,
        handles=payload.handles,
        description=payload.description,
        created_by=request.auth,
    )
    return Status(
        201,
        {
            "id": result.segment.pk,
            "count": result.matched,
            "unknown_handles": result.unknown_handles,
        },
    )


@router.get(
    "/segments/{segment_id}/preview",
    response={200: SegmentPreview, **error_responses(400, 401, 403, 404)},
)
def segment_preview(request: HttpRequest, segment_id: int) -> dict[str, Any]:
    api_permission_check(request, "segments.view_segment")
    segment = get_object_or_404(Segment, pk=segment_id)
    return {
        "count": selectors.segment_count(segment),
        "sample": selectors.segment_sample(segment, PREVIEW_SAMPLE_SIZE),
    }
