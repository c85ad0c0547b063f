"""The export streams the filtered rows as CSV, actions in the viewer's language, cells safe
from spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from audit.services import audit_record
from tests.support.factories import client_for, user_make

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_streams_only_the_filtered_rows_in_words():
    manager = user_make("gerente", role="manager")
    ana = user_make("ana", role="editor")
    audit_record(
        actor=ana,
        action="campaign.approve",
        target_type="campaign",
        target_id=5,
        target_label="=HYPERLINK(1)",
    )
    audit_record(actor=manager, action="segment.create", target_type="segment", target_id=1)
    response = client_for(manager).get(reverse("audit-export"), {"person": ana.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    header, *rows = _rows(response)
    assert header[:3] == ["When", "Who", "Action"]
    (row,) = rows
    assert row[1] == "ana" and row[3] == "campaign.approve"
    assert row[2] == "Campaign · approved"
    assert row[5] == "5" and row[6] == "'=HYPERLINK(1)"


def test_export_in_spanish_for_a_spanish_viewer():
    manager = user_make("gerente", role="manager")
    audit_record(actor=None, action="campaign.approve", target_type="campaign", target_id=5)
    client = client_for(manager)
    client.cookies["django_language"] = "es-mx"
    header, row = _rows(client.get(reverse("audit-export")))
    assert header[0] != "When"  # translated
    assert row[2] != "Campaign · approved" and row[1] != "system"
