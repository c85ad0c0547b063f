from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StringConstraints

from accounts.permissions import api_permission_check
from common.http import TokenHttpRequest
from common.schemas import ApiSchema, ErrorOut, error_responses
from creators import services
from creators.importer import ImportHeaderInvalid, creator_import_csv
from creators.models import Channel, Creator, Device, ImportJob

router = Router(tags=["creators"])


class CreatorOut(Schema):
    handle: str
    name: str
    email: str
    phone: str
    locale: str
    timezone: str
    state: str
    market: str
    level: int
    followers: int
    gmv_30d: str
    category: str
    content_type: str
    joined_at: str | None
    last_active_at: str | None
    tags: list[str]
    consent: dict[str, str]
    # Until when WhatsApp takes free text for this creator (24 h after their last message).
    whatsapp_window_open_until: str | None


class DeviceIn(ApiSchema):
    token: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=1,
            max_length=Device._meta.get_field("token").max_length,
            pattern=r"\S",
        ),
    ]
    platform: Device.Platform


class DeviceOut(Schema):
    token: str
    platform: str


class ImportErrorOut(Schema):
    """One problem of an import: the file line it is on (the header is line 1), the column
    (`null` for the whole line) and why, in the request's language."""

    line: int
    field: str | None
    message: str


class ImportOut(Schema):
    created: int
    updated: int
    rejected: int = Field(description="Rows refused whole (each is listed in `errors`).")
    encoding: str = Field(
        description="How the file was read: utf-8, utf-8-sig (with a byte-order mark), "
        "utf-16, utf-16-le, utf-16-be, or cp1252 (Windows-1252, what Excel on Windows saves)."
    )
    errors: list[ImportErrorOut] = Field(
        description="Rows refused (bad handle, no usable email or phone, duplicate handle, "
        "unreadable line), first 1,000, by line."
    )
    warnings: list[ImportErrorOut] = Field(
        description="Cells left out of rows that were imported (the creator landed without "
        "that value), and header columns not imported (line 1); first 1,000, by line."
    )


def _creator_out(creator: Creator) -> CreatorOut:
    return CreatorOut(
        handle=creator.handle,
        name=creator.name,
        email=creator.email,
        phone=creator.phone,
        locale=creator.locale,
        timezone=creator.timezone,
        state=creator.state,
        market=creator.market,
        level=creator.level,
        followers=creator.followers,
        gmv_30d=str(creator.gmv_30d),
        category=creator.category,
        content_type=creator.content_type,
        joined_at=creator.joined_at.isoformat() if creator.joined_at else None,
        last_active_at=creator.last_active_at.isoformat() if creator.last_active_at else None,
        tags=list(creator.tags),
        consent={channel.value: creator.consent_for(channel) for channel in Channel},
        whatsapp_window_open_until=(
            creator.whatsapp_window_open_until.isoformat()
            if creator.whatsapp_window_open_until
            else None
        ),
    )


# Declared before /creators/{handle} so that path does not swallow "import".
@router.post("/creators/import", response={200: ImportOut, **error_responses(400, 401, 403)})
def creators_import(request: HttpRequest, file: File[UploadedFile]):
    """Upsert creators from a CSV (multipart field `file`); see docs/importing.md.

    Rows refused are listed in `errors` (first 1,000) and counted in `rejected`; the good rows
    land. A bad optional cell does not refuse its row: the creator lands without that value and
    the cell is listed in `warnings` (same shape). A file whose header has no `handle` column,
    or neither `email` nor `phone`, is refused whole with 400.
    """
    api_permission_check(request, "creators.add_creator")
    try:
        result = creator_import_csv(file=file)
    except ImportHeaderInvalid as error:
        return Status(400, ErrorOut(detail=str(error), path="file"))
    return ImportOut(**result.as_dict())


class ImportJobOut(Schema):
    id: int
    status: str
    file_name: str
    total_rows: int
    rows_done: int
    created: int
    updated: int
    rejected: int
    encoding: str
    errors: list[ImportErrorOut]
    errors_total: int
    warnings: list[ImportErrorOut]
    warnings_total: int
    failure: str
    created_at: str
    finished_at: str | None


def _job_out(job: ImportJob) -> ImportJobOut:
    return ImportJobOut(
        id=job.pk,
        status=job.status,
        file_name=job.file_name,
        total_rows=job.total_rows,
        rows_done=job.rows_done,
        created=job.created,
        updated=job.updated,
        rejected=job.rejected,
        encoding=job.encoding,
        errors=[ImportErrorOut(**problem) for problem in job.errors_shown],
        errors_total=job.errors_total,
        warnings=[ImportErrorOut(**problem) for problem in job.warnings_shown],
        warnings_total=job.warnings_total,
        failure=job.failure_message,
        created_at=job.created_at.isoformat(),
        finished_at=job.finished_at.isoformat() if job.finished_at else None,
    )


@router.post("/creators/imports", response={202: ImportJobOut, **error_responses(400, 401, 403)})
def creators_import_queue(request: TokenHttpRequest, file: File[UploadedFile]):
    """Queue a CSV import on a Celery worker and answer at once (any size; the synchronous
    `/creators/import` holds the request for the whole file). Poll the job's URL."""
    api_permission_check(request, "creators.add_creator")
    job = services.import_job_create(file=file, actor=request.auth)
    return Status(202, _job_out(job))


@router.get(
    "/creators/imports/{job_id}",
    response={200: ImportJobOut, **error_responses(400, 401, 403, 404)},
)
def creators_import_job(request: HttpRequest, job_id: int) -> ImportJobOut:
    api_permission_check(request, "creators.add_creator")
    return _job_out(get_object_or_404(ImportJob, pk=job_id))


@router.get("/creators/{handle}", response={200: CreatorOut, **error_responses(400, 401, 403, 404)})
def creator_detail(request: HttpRequest, handle: str) -> CreatorOut:
    api_permission_check(request, "creators.view_creator")
    return _creator_out(get_object_or_404(Creator, handle=handle))


@router.post(
    "/creators/{handle}/devices", response={201: DeviceOut, **error_responses(400, 401, 403, 404)}
)
def creator_device_register(request: HttpRequest, handle: str, payload: DeviceIn):
    api_permission_check(request, "creators.change_creator")
    creator = get_object_or_404(Creator, handle=handle)
    device = services.device_register(
        creator=creator, token=payload.token, platform=payload.platform
    )
    return Status(201, DeviceOut(token=device.token, platform=device.platform))
