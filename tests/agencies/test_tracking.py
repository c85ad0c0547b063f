"""The ops tracking page's overdue list and per-agency figures equal a recount in Python."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies import selectors, services
from agencies.models import Deliverable
from tests.support.factories import (
    agency_make,
    agency_user_make,
    brief_make,
    client_for,
    user_make,
)

pytestmark = pytest.mark.django_db


def _approve(deliverable, *, writer, editor, rounds: int, approved_at, created_at):
    for _round in range(rounds):
        version = services.version_submit(deliverable=deliverable, actor=writer, text="x")
        services.review_submit(version=version, actor=editor, decision="changes", summary="no")
    version = services.version_submit(deliverable=deliverable, actor=writer, text="x")
    services.review_submit(version=version, actor=editor, decision="approve", summary="ok")
    Deliverable.objects.filter(pk=deliverable.pk).update(
        approved_at=approved_at, created_at=created_at
    )


@pytest.fixture
def work(role_groups):
    editor = user_make("editor-ops", role="editor")
    today = timezone.localdate()
    now = timezone.now()
    made = {}
    for name, plan in {
        "Alfa": [(-3, 2, -1), (5, 0, 1), (-2, None, None), (4, None, None)],
        "Bravo": [(-10, 1, 2), (-1, None, None)],
        "Charlie": [],
    }.items():
        agency = agency_make(name)
        writer = agency_user_make(agency, f"{name.lower()}-writer")
        made[name] = agency
        for index, (due_in, rounds, approved_after_due) in enumerate(plan):
            brief = brief_make(
                agency=agency,
                author=editor,
                title=f"{name} {index}",
                due=today + timedelta(days=due_in),
            )
            deliverable = brief.deliverables.get()
            if rounds is not None:
                due_moment = now + timedelta(days=due_in)
                _approve(
                    deliverable,
                    writer=writer,
                    editor=editor,
                    rounds=rounds,
                    approved_at=due_moment + timedelta(days=approved_after_due),
                    created_at=due_moment - timedelta(days=7),
                )
    return editor, made


def test_overdue_list_equals_a_recount(work):
    today = timezone.localdate()
    expected = sorted(
        deliverable.pk
        for deliverable in Deliverable.objects.all()
        if deliverable.due_date < today and deliverable.status not in ("approved", "delivered")
    )
    assert sorted(selectors.deliverables_overdue().values_list("pk", flat=True)) == expected
    assert len(expected) == 2
    editor, _made = work
    page = client_for(editor).get("/agencies/").content.decode()
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    shown = sorted(int(chunk.split('"')[0]) for chunk in overdue.split('data-deliverable="')[1:])
    assert shown == expected


def test_per_agency_figures_equal_a_recount(work):
    figures = {row.agency.name: row for row in selectors.agency_figures_list()}
    for name, row in figures.items():
        deliverables = list(Deliverable.objects.filter(brief__agency__name=name))
        approved = [d for d in deliverables if d.approved_at]
        on_time = [d for d in approved if timezone.localdate(d.approved_at) <= d.due_date]
        rounds = sum(
            d.transitions.filter(to_status="changes_requested").count() for d in deliverables
        )
        durations = [d.approved_at - d.created_at for d in approved]
        assert row.deliverables == len(deliverables), name
        assert row.approved == len(approved), name
        assert row.on_time == len(on_time), name
        assert row.change_rounds == rounds, name
        if durations:
            assert abs(
                row.time_to_approval - sum(durations, timedelta()) / len(durations)
            ) < timedelta(seconds=1)
        else:
            assert row.time_to_approval is None
    assert (figures["Alfa"].approved, figures["Alfa"].on_time, figures["Alfa"].change_rounds) == (
        2,
        1,
        2,
    )
    assert figures["Alfa"].on_time_rate == 0.5 and figures["Alfa"].rounds_per_deliverable == 0.5
    assert figures["Bravo"].on_time_rate == 0.0 and figures["Charlie"].on_time_rate is None


def test_tracking_filters_by_status_and_agency(work):
    editor, made = work
    client = client_for(editor)
    page = client.get("/agencies/", {"status": "approved", "agency": made["Alfa"].pk})
    rows = page.content.decode().split('id="all"')[1]
    assert rows.count("data-deliverable=") == 2
