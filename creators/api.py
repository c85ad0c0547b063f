from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from creators import services
from creators.importer import ImportHeaderInvalid, creator_import_csv
from creators.models import Channel, Creator, Device

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


class DeviceIn(Schema):
    token: str
    platform: Device.Platform


class DeviceOut(Schema):
    token: str
    platform: str


class ImportErrorOut(Schema):
    line: int
    field: str | None
    message: str


class ImportOut(Schema):
    created: int
    updated: int
    rejected: int
    errors: list[ImportErrorOut]


class DetailOut(Schema):
    detail: str


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
    )


# Declared before /creators/{handle} so that path does not swallow "import".
@router.post("/creators/import", response={200: ImportOut, 400: DetailOut})
def creators_import(request: HttpRequest, file: File[UploadedFile]):
    """Upsert creators from a CSV (multipart field `file`); see docs/importing.md.

    Bad rows are listed in `errors` (first 1,000) and counted in `rejected`; the good rows land.
    A file whose header lacks columns is refused whole with 400.
    """
    try:
        result = creator_import_csv(file=file)
    except ImportHeaderInvalid as error:
        return Status(400, DetailOut(detail=str(error)))
    return result.as_dict()


@router.get("/creators/{handle}", response=CreatorOut)
def creator_detail(request: HttpRequest, handle: str) -> CreatorOut:
    return _creator_out(get_object_or_404(Creator, handle=handle))


@router.post("/creators/{handle}/devices", response={201: DeviceOut})
def creator_device_register(request: HttpRequest, handle: str, payload: DeviceIn):
    creator = get_object_or_404(Creator, handle=handle)
    device = services.device_register(
        creator=creator, token=payload.token, platform=payload.platform
    )
    return Status(201, DeviceOut(token=device.token, platform=device.platform))
