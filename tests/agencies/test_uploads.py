"""Uploads are checked by content and size, kept outside the web root and only downloaded
through a permission check that records who did."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.filetypes import filetype_detect
from agencies.models import DeliverableVersion
from audit.models import AuditEntry
from tests.support.factories import (
    agency_make,
    agency_user_make,
    brief_make,
    client_for,
    user_make,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def work(role_groups):
    editor = user_make("editor-ops", role="editor")
    agency = agency_make("Alfa")
    writer = agency_user_make(agency, "alfa-writer")
    deliverable = brief_make(agency=agency, author=editor).deliverables.get()
    return editor, writer, deliverable


def _submit(client, deliverable, name: str, content: bytes):
    return client.post(
        reverse("deliverable-submit", args=[deliverable.pk]),
        {"upload": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(work):
    editor, writer, deliverable = work
    response = _submit(client_for(writer), deliverable, "guion.pdf", b"MZ\x90\x00 not a pdf")
    assert response.status_code == 400
    assert "its content is not a PDF file" in response.content.decode()
    assert not DeliverableVersion.objects.exists()
    assert not any(Path(django_settings.AGENCY_FILES_DIR).rglob("*.*"))


def test_an_oversized_file_is_refused(work, settings):
    settings.AGENCY_UPLOAD_MAX_BYTES = 1024
    editor, writer, deliverable = work
    response = _submit(client_for(writer), deliverable, "guion.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "is larger than 1.0\xa0KB" in response.content.decode()
    assert not DeliverableVersion.objects.exists()


def test_a_type_outside_the_list_is_refused(work):
    editor, writer, deliverable = work
    response = _submit(client_for(writer), deliverable, "guion.html", b"<html></html>")
    assert response.status_code == 400
    assert not DeliverableVersion.objects.exists()


def test_signatures_of_the_allowed_types():
    docx, plain_zip = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("notes.txt", "hola")
    assert filetype_detect(io.BytesIO(PDF)) == "pdf"
    assert filetype_detect(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 8)) == "png"
    assert filetype_detect(io.BytesIO(b"\xff\xd8\xff\xe0" + b"\0" * 8)) == "jpeg"
    assert filetype_detect(io.BytesIO(b"\0\0\0\x18ftypmp42" + b"\0" * 8)) == "mp4"
    assert filetype_detect(docx) == "docx"
    assert filetype_detect(plain_zip) == "zip"
    assert filetype_detect(io.BytesIO(b"PK\x03\x04broken")) is None
    assert filetype_detect(io.BytesIO(b"GIF89a")) is None


def test_a_real_pdf_is_kept_outside_the_web_root_and_downloaded_with_an_audit(work):
    editor, writer, deliverable = work
    assert _submit(client_for(writer), deliverable, "guion.pdf", PDF).status_code == 302
    version = DeliverableVersion.objects.get()
    stored = Path(django_settings.AGENCY_FILES_DIR) / version.file_path
    assert stored.read_bytes() == PDF and version.file_type == "pdf"
    for public in (django_settings.MEDIA_ROOT, django_settings.STATIC_ROOT):
        assert not stored.resolve().is_relative_to(Path(public).resolve())

    response = client_for(editor).get(reverse("version-file", args=[version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    entry = AuditEntry.objects.get(action="deliverable_version.download")
    assert (entry.actor, entry.target_id) == (editor, str(version.pk))


def test_the_file_of_a_text_only_version_is_not_found(work):
    editor, writer, deliverable = work
    response = client_for(writer).post(
        reverse("deliverable-submit", args=[deliverable.pk]), {"text": "Hola, soy Ana."}
    )
    assert response.status_code == 302
    version = DeliverableVersion.objects.get()
    assert client_for(editor).get(reverse("version-file", args=[version.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="deliverable_version.download").exists()
