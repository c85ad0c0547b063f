"""A script goes through three rounds: submitted, changes requested with anchored comments,
resubmitted, changes again, resubmitted, approved. The diff between rounds shows what
changed, and each side is told when it's their turn, in the app and by email."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Deliverable, DeliverableTransition, Notification, ReviewComment
from audit.models import AuditEntry
from tests.support.factories import (
    agency_make,
    agency_user_make,
    brief_make,
    client_for,
    user_make,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROUND_1 = "Hola, creadores.\nHoy vendemos en vivo.\nCompra ya.\n"
ROUND_2 = "Hola, creadores.\nHoy aprendemos a vender en vivo.\nCompra ya.\nSíguenos.\n"
ROUND_3 = "Hola, creadores.\nHoy aprendemos a vender en vivo.\nSíguenos.\n"


def _mail_to(fakes, address: str) -> list[str]:
    return [
        message["request"]["headers"]["Subject"]
        for message in fakes.received("smtp", accepted=True, recipient=address)
    ]


def test_script_goes_through_three_rounds(role_groups, smtp_outbox):
    reviewer = user_make("revisora", role="editor", email="revisora@altavoz.example")
    agency = agency_make("Alfa")
    writer = agency_user_make(agency, "alfa-writer")
    brief = brief_make(agency=agency, author=reviewer)
    deliverable = brief.deliverables.get()
    ops, agency_side = client_for(reviewer), client_for(writer)
    page = reverse("deliverable-detail", args=[deliverable.pk])
    submit = reverse("deliverable-submit", args=[deliverable.pk])

    # Round 1: submitted, then changes requested with a line comment and a quoted one.
    assert agency_side.post(submit, {"text": ROUND_1}).status_code == 302
    v1 = deliverable.versions.get(number=1)
    comments = reverse("comment-add", args=[v1.pk])
    ops.post(comments, {"body": "Más claro: aprender, no solo vender.", "line": 2})
    ops.post(comments, {"body": "Demasiado agresivo.", "quote": "Compra ya."})
    line_comment = ReviewComment.objects.get(line=2)
    agency_side.post(comments, {"body": "Cambiado en la v2.", "parent": line_comment.pk})
    response = ops.post(
        reverse("version-review", args=[v1.pk]),
        {"decision": "changes", "summary": "Dos ajustes, ver comentarios."},
    )
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.CHANGES_REQUESTED
    assert {(c.line, c.quote) for c in v1.comments.filter(parent=None)} == {
        (2, ""),
        (None, "Compra ya."),
    }
    assert line_comment.replies.get().author == writer
    ops.post(reverse("comment-resolve", args=[line_comment.pk]))
    line_comment.refresh_from_db()
    assert line_comment.resolved_by == reviewer

    # Round 2: resubmitted, the diff shows the changed line and the added one.
    agency_side.post(submit, {"text": ROUND_2})
    diff = ops.get(reverse("deliverable-diff", args=[deliverable.pk]), {"a": 1, "b": 2})
    rows = [(row.kind, row.left_number, row.right_number) for row in diff.context["rows"]]
    assert rows == [("equal", 1, 1), ("replace", 2, 2), ("equal", 3, 3), ("insert", None, 4)]
    html = diff.content.decode()
    assert '<td class="left">Hoy <del>vendemos</del> en vivo.</td>' in html
    assert '<td class="right">Hoy <ins>aprendemos a vender</ins> en vivo.</td>' in html
    assert '<td class="right">Síguenos.</td>' in html  # a whole new line: no inner marks
    v2 = deliverable.versions.get(number=2)
    ops.post(
        reverse("version-review", args=[v2.pk]),
        {"decision": "changes", "summary": "Quita «Compra ya»."},
    )

    # Round 3: resubmitted and approved with the checklist ticked.
    agency_side.post(submit, {"text": ROUND_3})
    diff = agency_side.get(reverse("deliverable-diff", args=[deliverable.pk]))
    assert [(r.kind, r.left_number, r.right_number) for r in diff.context["rows"]] == [
        ("equal", 1, 1),
        ("equal", 2, 2),
        ("delete", 3, None),
        ("equal", 4, 3),
    ]
    v3 = deliverable.versions.get(number=3)
    checklist = [str(pk) for pk in brief.checklist.values_list("pk", flat=True)]
    ops.post(
        reverse("version-review", args=[v3.pk]),
        {"decision": "approve", "summary": "Listo.", "checked": checklist},
    )
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.APPROVED and deliverable.approved_at
    assert [v.text for v in deliverable.versions.order_by("number")] == [
        text.strip() for text in (ROUND_1, ROUND_2, ROUND_3)
    ]
    assert set(v3.reviews.get().checked_items.values_list("pk", flat=True)) == {
        int(pk) for pk in checklist
    }
    assert list(
        DeliverableTransition.objects.filter(deliverable=deliverable).values_list(
            "to_status", flat=True
        )
    ) == [
        "in_progress",
        "submitted",
        "changes_requested",
        "submitted",
        "changes_requested",
        "submitted",
        "approved",
    ]
    assert AuditEntry.objects.filter(
        action="deliverable.approved", target_id=str(deliverable.pk)
    ).exists()
    assert ops.get(page).status_code == 200

    # Both sides were told when it was their turn: in the app and at the SMTP server.
    to_writer = list(Notification.objects.filter(user=writer).values_list("text", flat=True))
    to_reviewer = list(Notification.objects.filter(user=reviewer).values_list("text", flat=True))
    assert sum("needs changes" in text for text in to_writer) == 2
    assert sum("was approved" in text for text in to_writer) == 1
    assert sum("ready for review" in text for text in to_reviewer) == 3
    writer_mail = smtp_outbox.wait_for(
        lambda fakes: len(_mail_to(fakes, writer.email)) >= 4 and _mail_to(fakes, writer.email)
    )
    reviewer_mail = _mail_to(smtp_outbox, reviewer.email)
    assert sum("needs changes" in subject for subject in writer_mail) == 2
    assert sum("was approved" in subject for subject in writer_mail) == 1
    assert sum("New brief" in subject for subject in writer_mail) == 1
    assert sum("ready for review" in subject for subject in reviewer_mail) == 3

    # The unread badge counts them; opening one marks it read.
    badge = agency_side.get(reverse("agency-home")).content.decode()
    assert 'id="notifications-unread"' in badge and ">4</span>" in badge
    first = Notification.objects.filter(user=writer).first()
    opened = agency_side.post(reverse("notification-open", args=[first.pk]))
    assert opened.status_code == 302
    assert Notification.objects.filter(user=writer, read_at__isnull=True).count() == 3
