"""Services that change creator data. Bulk import lives in creators/importer.py."""

from django.db import transaction
from django.utils import timezone

from creators.models import CONSENT_FIELDS, Channel, ConsentChange, Creator, Device


@transaction.atomic
def device_register(*, creator: Creator, token: str, platform: str) -> Device:
    """Attach a push token to `creator`; a token seen on another creator moves to this one."""
    device, _created = Device.objects.update_or_create(
        token=token,
        defaults={"creator": creator, "platform": platform, "last_seen_at": timezone.now()},
    )
    return device


@transaction.atomic
def creator_consent_set(
    *, creator: Creator, channel: Channel | str, status: str, source: str
) -> Creator:
    """Set the creator's consent on one channel and record the change in its history."""
    field = CONSENT_FIELDS[channel]
    if getattr(creator, field) != status:
        setattr(creator, field, status)
        creator.updated_at = timezone.now()
        creator.save(update_fields=[field, "updated_at"])
    ConsentChange.objects.create(creator=creator, channel=channel, status=status, source=source)
    return creator
