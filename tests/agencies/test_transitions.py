"""Services allow only the listed moves, each by its side, and record every one."""

from __future__ import annotations

import pytest

from agencies import services
from agencies.exceptions import ActorNotAllowed, TransitionNotAllowed, VersionNotLatest
from agencies.models import Deliverable
from audit.models import AuditEntry
from tests.support.factories import agency_make, agency_user_make, brief_make, user_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(role_groups):
    editor = user_make("editor-ops", role="editor")
    agency = agency_make("Alfa")
    writer = agency_user_make(agency, "alfa-writer")
    deliverable = brief_make(agency=agency, author=editor).deliverables.get()
    return editor, writer, deliverable


def test_agency_cannot_approve_its_own_work(setup):
    editor, writer, deliverable = setup
    services.version_submit(deliverable=deliverable, actor=writer, text="v1")
    with pytest.raises(ActorNotAllowed):
        services.deliverable_transition(deliverable=deliverable, to_status="approved", actor=writer)
    assert Deliverable.objects.get().status == "submitted"


def test_reviewer_cannot_submit_for_the_agency(setup):
    editor, writer, deliverable = setup
    with pytest.raises(ActorNotAllowed):
        services.version_submit(deliverable=deliverable, actor=editor, text="v1")


def test_another_agency_cannot_start_the_work(setup):
    editor, writer, deliverable = setup
    stranger = agency_user_make(agency_make("Bravo"), "bravo-writer")
    with pytest.raises(ActorNotAllowed):
        services.deliverable_start(deliverable=deliverable, actor=stranger)


def test_a_skipped_step_is_refused(setup):
    editor, writer, deliverable = setup
    with pytest.raises(TransitionNotAllowed):
        services.deliverable_transition(deliverable=deliverable, to_status="approved", actor=editor)
    services.version_submit(deliverable=deliverable, actor=writer, text="v1")
    with pytest.raises(TransitionNotAllowed):
        services.deliverable_deliver(deliverable=deliverable, actor=editor)


def test_analyst_reads_but_cannot_review(setup):
    editor, writer, deliverable = setup
    analyst = user_make("analyst-ops", role="analyst")
    services.version_submit(deliverable=deliverable, actor=writer, text="v1")
    with pytest.raises(ActorNotAllowed):
        services.deliverable_transition(
            deliverable=deliverable, to_status="changes_requested", actor=analyst
        )


def test_every_transition_is_recorded_and_audited(setup):
    editor, writer, deliverable = setup
    version = services.version_submit(deliverable=deliverable, actor=writer, text="v1")
    services.review_submit(version=version, actor=editor, decision="approve", summary="ok")
    services.deliverable_deliver(deliverable=deliverable, actor=editor)
    rows = list(deliverable.transitions.values_list("from_status", "to_status", "actor__username"))
    assert rows == [
        ("briefed", "in_progress", "alfa-writer"),
        ("in_progress", "submitted", "alfa-writer"),
        ("submitted", "approved", "editor-ops"),
        ("approved", "delivered", "editor-ops"),
    ]
    actions = AuditEntry.objects.filter(target_type="deliverable", target_id=str(deliverable.pk))
    assert {
        "deliverable.in_progress",
        "deliverable.submitted",
        "deliverable.approved",
        "deliverable.delivered",
    } <= set(actions.values_list("action", flat=True))


def test_an_older_version_cannot_be_reviewed(setup):
    editor, writer, deliverable = setup
    first = services.version_submit(deliverable=deliverable, actor=writer, text="v1")
    services.review_submit(version=first, actor=editor, decision="changes", summary="again")
    services.version_submit(deliverable=deliverable, actor=writer, text="v2")
    with pytest.raises(VersionNotLatest):
        services.review_submit(version=first, actor=editor, decision="approve", summary="ok")
    assert Deliverable.objects.get().status == "submitted"


def test_analyst_can_read_a_deliverable_but_not_comment(setup, client):
    editor, writer, deliverable = setup
    version = services.version_submit(deliverable=deliverable, actor=writer, text="v1")
    analyst = user_make("analyst-reader", role="analyst")
    client.force_login(analyst)
    page = client.get(f"/work/deliverables/{deliverable.pk}/")
    assert page.status_code == 200 and 'id="comment-form"' not in page.content.decode()
    response = client.post(f"/work/versions/{version.pk}/comments/", {"body": "hola", "line": 1})
    assert response.status_code == 403
    assert not version.comments.exists()
