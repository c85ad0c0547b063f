"""Services that change creator data. Bulk import lives in creators/importer.py."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import audit_record
from common.system_messages import SystemMessage, system_messages_define
from creators import tasks
from creators.consent_hooks import consent_changed
from creators.exceptions import CreatorHandleTaken
from creators.models import (
    CONSENT_FIELDS,
    Channel,
    ConsentChange,
    ConsentStatus,
    Creator,
    Device,
    ImportJob,
)


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
    *,
    creator: Creator,
    channel: Channel | str,
    status: str,
    source: str,
    reason: str = "",
    changed_by: User | None = None,
) -> Creator:
    """Set the creator's consent on one channel and record the change in its history."""
    field = CONSENT_FIELDS[channel]
    if getattr(creator, field) != status:
        setattr(creator, field, status)
        creator.updated_at = timezone.now()
        creator.save(update_fields=[field, "updated_at"])
        consent_changed(creator=creator, channel=str(channel), status=status, source=source)
    ConsentChange.objects.create(
        creator=creator,
        channel=channel,
        status=status,
        source=source,
        reason=reason,
        changed_by=changed_by,
    )
    return creator


# Consent values as the audit log stores them: codes rendered in the reader's language.
system_messages_define(
    {f"consent.{status.value}": status.label for status in ConsentStatus}  # type: ignore[misc]
)


@transaction.atomic
def creator_consent_change(
    *, creator: Creator, channel: str, status: str, reason: str, actor: User
) -> Creator:
    """A person changes one consent from the ops app: a history row with their reason (source
    "ops"), and a `creator.consent` audit entry."""
    before = creator.consent_for(channel)
    creator_consent_set(
        creator=creator,
        channel=channel,
        status=status,
        source=ConsentChange.Source.OPS,
        reason=reason,
        changed_by=actor,
    )
    audit_record(
        actor=actor,
        action="creator.consent",
        target=creator,
        detail={
            "channels": [channel],
            "from": SystemMessage(f"consent.{before}").as_json(),
            "to": SystemMessage(f"consent.{status}").as_json(),
            "reason": reason,
        },
    )
    return creator


# The profile fields the ops app's edit form changes (consent has its own service; gmv_30d is
# derived from the daily metrics).
EDITABLE_FIELDS = (
    "handle",
    "name",
    "email",
    "phone",
    "locale",
    "timezone",
    "market",
    "state",
    "level",
    "followers",
    "category",
    "content_type",
    "joined_at",
    "tags",
)


@transaction.atomic
def creator_update(*, creator: Creator, actor: User, **fields: Any) -> Creator:
    """Change a creator's profile (values already read as the importer reads them); a
    `creator.update` audit entry names the fields that changed."""
    changed = [
        name
        for name in EDITABLE_FIELDS
        if name in fields and getattr(creator, name) != fields[name]
    ]
    if not changed:
        return creator
    for name in changed:
        setattr(creator, name, fields[name])
    creator.updated_at = timezone.now()
    try:
        with transaction.atomic():
            creator.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as error:
        raise CreatorHandleTaken(creator.handle) from error
    audit_record(actor=actor, action="creator.update", target=creator, detail={"fields": changed})
    return creator


def _selection_sql(creators: QuerySet[Creator]) -> tuple[str, tuple[Any, ...]]:
    """The selection as `SELECT id FROM …`, for a set-based UPDATE or INSERT … SELECT."""
    sql, params = creators.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def _bulk_audit(
    *, actor: User, action: str, count: int, selection: dict[str, Any], **detail: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_type="creator",
        target_label=str(count),
        detail={"creators": count, **detail, **selection},
    )


@transaction.atomic
def creators_tag(
    *, creators: QuerySet[Creator], tag: str, actor: User, selection: dict[str, Any]
) -> int:
    """Add `tag` to every creator of the selection that lacks it, in one UPDATE (a million
    creators never pass through Python). `selection` says what was selected (the filters, or
    the ticked ids), for the audit entry. Returns how many creators gained the tag."""
    tag_json = json.dumps([tag], ensure_ascii=False)
    select_sql, params = _selection_sql(creators)
    table = connection.ops.quote_name(Creator._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET tags = tags || %s::jsonb, updated_at = %s "
            f"WHERE id IN ({select_sql}) AND NOT tags @> %s::jsonb",
            [tag_json, timezone.now(), *params, tag_json],
        )
        tagged = cursor.rowcount
    _bulk_audit(actor=actor, action="creator.tag", count=tagged, selection=selection, tags=[tag])
    return tagged


def creators_tag_later(
    *, selection: dict[str, Any], tag: str, actor: User, audit: dict[str, Any]
) -> None:
    """`creators_tag` by a worker, for a selection too large for a request; the audit entry
    is written when it is done."""
    transaction.on_commit(lambda: tasks.creators_tag_run.delay(selection, tag, actor.pk, audit))


@transaction.atomic
def creators_export_record(
    *, creators: QuerySet[Creator], actor: User, selection: dict[str, Any]
) -> int:
    """Record, before the file streams, that `actor` exported the selection (`creator.export`
    with how many creators). Returns that count."""
    count = creators.order_by().count()
    _bulk_audit(actor=actor, action="creator.export", count=count, selection=selection)
    return count


def creator_portal_preview_record(*, creator: Creator, actor: User) -> None:
    """A person looked at the portal as this creator: audited, and nothing else recorded."""
    audit_record(actor=actor, action="creator.portal_preview", target=creator)


@transaction.atomic
def creator_opt_out(*, creators: Iterable[Creator], actor: User | None, source: str) -> int:
    """Deny consent on every channel a creator has not already denied, with history and one
    `creator.optout` audit entry per creator changed. Returns how many consents changed."""
    changed = 0
    for creator in creators:
        channels = [
            channel
            for channel in Channel
            if getattr(creator, CONSENT_FIELDS[channel]) != ConsentStatus.DENIED
        ]
        for channel in channels:
            creator_consent_set(
                creator=creator, channel=channel, status=ConsentStatus.DENIED, source=source
            )
        if channels:
            changed += len(channels)
            audit_record(
                actor=actor,
                action="creator.optout",
                target=creator,
                detail={"channels": [str(channel.value) for channel in channels]},
            )
    return changed


def _data_lines(file: UploadedFile) -> int:
    """Physical lines after the header: the progress bar's total (a quoted multi-line cell
    makes it a slight over-estimate, which the final 100% corrects)."""
    lines = 0
    last = b"\n"
    for block in file.chunks():
        lines += block.count(b"\n")
        last = block[-1:] or last
    if last != b"\n":
        lines += 1
    file.seek(0)
    return max(0, lines - 1)


@transaction.atomic
def import_job_create(*, file: UploadedFile, actor: User) -> ImportJob:
    """Store the uploaded CSV, record who sent it, and queue its import once committed."""
    job = ImportJob(
        created_by=actor, file_name=(file.name or "")[:255], total_rows=_data_lines(file)
    )
    job.file.save(file.name or "creators.csv", file, save=False)
    job.save()
    audit_record(
        actor=actor,
        action="creator.import",
        target_type="import",
        target_id=job.pk,
        target_label=job.file_name,
        detail={"file": job.file_name, "rows": job.total_rows},
    )
    transaction.on_commit(lambda: tasks.creator_import_run.delay(job.pk))
    return job


# --- Portal access ----------------------------------------------------------------------------


def portal_link_revoked(*, creator: Creator, signed_at: float) -> bool:
    """Was a token made at `signed_at` turned off by `creator_portal_revoke`? Token
    timestamps have one-second resolution: one made in the same second as the revocation
    counts as revoked."""
    revoked_at = creator.portal_revoked_at
    return revoked_at is not None and signed_at <= revoked_at.timestamp()


def creator_portal_revoke(*, creator: Creator) -> Creator:
    """Turn off every portal link made so far, and every portal session started so far."""
    creator.portal_revoked_at = timezone.now()
    creator.save(update_fields=["portal_revoked_at"])
    return creator


def creators_portal_revoke(*, creators: QuerySet[Creator]) -> int:
    """`creator_portal_revoke` for many creators at once (the admin action)."""
    return creators.update(portal_revoked_at=timezone.now())
