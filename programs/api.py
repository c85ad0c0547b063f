"""Programs over the JSON API: daily creator metrics in, progress and leaderboard out."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from accounts.permissions import api_permission_check
from common.http import TokenHttpRequest
from common.schemas import ApiSchema, IsoDate, error_responses
from creators.models import HANDLE_MAX_LENGTH
from programs import metric_import, selectors
from programs.models import Metric

router = Router(tags=["programs"])


class MetricRowIn(ApiSchema):
    handle: str = Field(..., max_length=HANDLE_MAX_LENGTH + 1)
    date: IsoDate
    # Checked per row by the service (a bad row comes back in `errors`, the rest land).
    metric: str = Field(..., max_length=40, description=f"One of {', '.join(Metric.values)}.")
    # What the column holds (14 digits, 2 after the point); more decimals are rounded.
    value: Decimal = Field(
        ...,
        gt=-(10**12),
        lt=10**12,
        allow_inf_nan=False,
        json_schema_extra={
            "anyOf": [
                {"type": "number", "exclusiveMinimum": -(10**12), "exclusiveMaximum": 10**12},
                {"type": "string", "pattern": r"^[-+]?\d{1,12}(\.\d{1,12})?$"},
            ]
        },
    )


class MetricsIn(ApiSchema):
    rows: list[MetricRowIn]


class RowError(Schema):
    row: int = Field(..., description="The row's position in `rows`, from 1.")
    field: str | None = Field(
        None, description="The field at fault (handle, date, metric, value), if one is."
    )
    message: str = Field(..., description="What is wrong, in the request's language.")


class MetricsOut(Schema):
    imported: int = Field(
        ...,
        description="Values written (a later row for the same creator, "
        "metric and day replaces an earlier one).",
    )
    rejected: int = Field(..., description="Rows not written; each is in `errors`.")
    errors: list[RowError] = Field(..., description="The first 1,000 problems, by row.")


class ProgressRow(Schema):
    rank: int
    handle: str
    total: Decimal
    band: str


@router.post("/creator-metrics", response={200: MetricsOut, **error_responses(400, 401, 403)})
def creator_metrics_post(request: TokenHttpRequest, payload: MetricsIn) -> Status:
    """Record daily metric rows; bad rows come back by position (1-based) and field, good
    rows land, and the creators' `gmv_30d` follows the `gmv` rows (docs/metrics.md).

    Needs `programs.import_metrics` (a manager's token), as the import page does."""
    api_permission_check(request, "programs.import_metrics")
    result = metric_import.creator_metrics_record(
        rows=enumerate((row.dict() for row in payload.rows), start=1), actor=request.auth
    )
    return Status(
        200,
        {
            "imported": result.imported,
            "rejected": result.rejected,
            "errors": [
                {"row": error["line"], "field": error["field"], "message": error["message"]}
                for error in result.errors_shown()
            ],
        },
    )


@router.get(
    "/programs/{program_id}/leaderboard",
    response={200: list[ProgressRow], **error_responses(400, 401, 403, 404)},
)
def program_leaderboard(
    request: HttpRequest, program_id: int, limit: int = Query(100, ge=1, le=1000)
) -> list[dict]:
    api_permission_check(request, "programs.view_program")
    program = selectors.program_get(pk=program_id)
    return selectors.program_leaderboard(program=program, limit=min(limit, 1000))
