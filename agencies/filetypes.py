"""What an uploaded file is, read from its first bytes rather than its name or the browser's
Content-Type. A small signature table for the types agencies send, instead of libmagic."""

from __future__ import annotations

import zipfile
from typing import IO

# The type a file's extension claims; the content must say the same.
EXTENSIONS = {
    "pdf": "pdf",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "mp4": "mp4",
    "docx": "docx",
    "zip": "zip",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "mp4": "video/mp4",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


def filetype_detect(stream: IO[bytes]) -> str | None:
    """`pdf`, `png`, `jpeg`, `mp4`, `docx`, `zip`, or None when the content is none of them."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            stream.seek(0)
        return "docx" if "word/document.xml" in names else "zip"
    return None


def filetype_claimed(name: str) -> str | None:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EXTENSIONS.get(extension)
