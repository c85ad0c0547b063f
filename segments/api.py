"""Segments over the JSON API: create (rules or a list of handles) and preview."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from accounts.permissions import api_permission_check
from segments import selectors, services
from segments.exceptions import SegmentRulesInvalid
from segments.models import Segment

router = Router(tags=["segments"])

PREVIEW_SAMPLE_SIZE = 10


class SegmentIn(Schema):
    name: str
    # Any JSON: the rule checker, not the schema, reports a bad node with its path.
    rules: Any = Field(..., description="Rule tree; see docs/segments.md")
    description: str = ""


class StaticSegmentIn(Schema):
    name: str
    handles: list[str]
    description: str = ""


class SegmentCreated(Schema):
    id: int
    count: int


class StaticSegmentCreated(Schema):
    id: int
    count: int
    unknown_handles: list[str]


class RulesError(Schema):
    detail: str
    path: str


class SegmentPreview(Schema):
    count: int
    sample: list[str]


@router.post("/segments", response={201: SegmentCreated, 400: RulesError})
def segment_create(request: HttpRequest, payload: SegmentIn) -> Status:
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


@router.post("/segments/static", response={201: StaticSegmentCreated})
def segment_static_create(request: HttpRequest, payload: StaticSegmentIn) -> Status:
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


@router.get("/segments/{segment_id}/preview", response=SegmentPreview)
def segment_preview(request: HttpRequest, segment_id: int) -> dict[str, Any]:
    api_permission_check(request, "segments.view_segment")
    segment = get_object_or_404(Segment, pk=segment_id)
    return {
        "count": selectors.segment_count(segment),
        "sample": selectors.segment_sample(segment, PREVIEW_SAMPLE_SIZE),
    }
