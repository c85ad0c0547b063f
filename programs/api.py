"""Programs over the JSON API: daily creator metrics in, progress and leaderboard out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from accounts.permissions import api_permission_check
from programs import selectors, services

router = Router(tags=["programs"])


class MetricRowIn(Schema):
    handle: str
    date: date
    metric: str
    value: Decimal


class MetricsIn(Schema):
    rows: list[MetricRowIn]


class RowError(Schema):
    row: int
    message: str


class MetricsOut(Schema):
    imported: int
    errors: list[RowError]


class ProgressRow(Schema):
    rank: int
    handle: str
    total: Decimal
    band: str


@router.post("/creator-metrics", response={200: MetricsOut})
def creator_metrics_post(request: HttpRequest, payload: MetricsIn) -> Status:
    """Record daily metric rows; bad rows come back by position (1-based), good rows land.

    Needs `programs.import_metrics` (a manager's token), as the import page does."""
    api_permission_check(request, "programs.import_metrics")
    result = services.creator_metrics_record(
        rows=[row.dict() for row in payload.rows], actor=request.auth
    )
    return Status(200, {
        "imported": result.imported,
        "errors": [{"row": line, "message": message} for line, message in result.errors],
    })  # fmt: skip


@router.get("/programs/{program_id}/leaderboard", response=list[ProgressRow])
def program_leaderboard(request: HttpRequest, program_id: int, limit: int = 100) -> list[dict]:
    api_permission_check(request, "programs.view_program")
    program = selectors.program_get(pk=program_id)
    return selectors.program_leaderboard(program=program, limit=min(limit, 1000))
