"""Agency uploads: checked by content and size, kept under AGENCY_FILES_DIR (outside the web
root), opened only by `version_file_open` after the view has loaded the version through a
scoped selector."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from agencies.exceptions import UploadRefused
from agencies.filetypes import CONTENT_TYPES, EXTENSIONS, filetype_claimed, filetype_detect


def agency_files_storage() -> FileSystemStorage:
    # Built on each call so a changed setting (tests, deployments) is followed; never given a
    # base_url: these files have no public URL.
    return FileSystemStorage(location=settings.AGENCY_FILES_DIR)


def upload_check(*, upload: UploadedFile) -> str:
    """The file's type by content, or UploadRefused saying why."""
    limit = settings.AGENCY_UPLOAD_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise UploadRefused(
            _("%(name)s is larger than %(limit)s.")
            % {"name": upload.name, "limit": filesizeformat(limit)}
        )
    claimed = filetype_claimed(upload.name or "")
    if claimed is None:
        raise UploadRefused(
            _("%(name)s: only these file types are accepted: %(types)s.")
            % {"name": upload.name, "types": ", ".join(sorted(EXTENSIONS))}
        )
    detected = filetype_detect(upload)
    if detected != claimed:
        raise UploadRefused(
            _("%(name)s is named as %(claimed)s but its content is not a %(claimed)s file.")
            % {"name": upload.name, "claimed": claimed.upper()}
        )
    return detected


def upload_store(*, upload: UploadedFile, deliverable_id: int, filetype: str) -> str:
    return agency_files_storage().save(f"{deliverable_id}/{uuid.uuid4().hex}.{filetype}", upload)


def content_type_of(filetype: str) -> str:
    return CONTENT_TYPES.get(filetype, "application/octet-stream")
