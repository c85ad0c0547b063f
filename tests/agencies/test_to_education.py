"""An approved script becomes a draft education item in one step, credited to the agency."""

from __future__ import annotations

import pytest

from agencies import services
from agencies.exceptions import NotEducational
from education.models import ContentItem
from tests.support.factories import (
    agency_make,
    agency_user_make,
    brief_make,
    client_for,
    user_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(role_groups):
    editor = user_make("editor-ops", role="editor")
    agency = agency_make("Alfa Contenidos")
    writer = agency_user_make(agency, "alfa-writer")
    deliverable = brief_make(agency=agency, author=editor).deliverables.get()
    version = services.version_submit(
        deliverable=deliverable,
        actor=writer,
        text="Escena 1: saluda.\nEscena 2: muestra el producto.",
    )
    deliverable.refresh_from_db()
    return editor, writer, deliverable, version


def test_an_unapproved_script_cannot_become_an_item(approved):
    editor, _writer, deliverable, _version = approved
    with pytest.raises(NotEducational):
        services.deliverable_education_draft(deliverable=deliverable, actor=editor)
    assert not ContentItem.objects.exists()


def test_the_reviewer_turns_the_approved_script_into_a_draft(approved):
    editor, writer, deliverable, version = approved
    services.review_submit(version=version, actor=editor, decision="approve", summary="Listo")
    deliverable.refresh_from_db()

    response = client_for(editor).post(f"/agencies/deliverables/{deliverable.pk}/to-education/")

    item = ContentItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/education/{item.pk}/"
    assert (item.status, item.kind, item.agency) == ("draft", "video", "Alfa Contenidos")
    version_es = item.versions.get(locale="es-MX")
    assert version_es.body == version.text and version_es.title == deliverable.title
    # The agency itself may not do it.
    refused = client_for(writer).post(f"/agencies/deliverables/{deliverable.pk}/to-education/")
    assert refused.status_code == 403
    assert ContentItem.objects.count() == 1
