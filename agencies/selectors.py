"""Reads. Every agency-side query filters by the user's agency: views load objects only
through `*_visible_to` / `*_get`, so someone else's id is a 404, never data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.aggregates import Avg
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.selectors import Person, person_of
from agencies.models import (
    Agency,
    AgencyMembership,
    Brief,
    Deliverable,
    DeliverableTransition,
    DeliverableVersion,
    Notification,
    ReviewComment,
)

OPS_VIEW = "agencies.view_deliverable"
PORTAL = "agencies.use_portal"
OPEN_STATUSES = [
    Deliverable.Status.BRIEFED,
    Deliverable.Status.IN_PROGRESS,
    Deliverable.Status.SUBMITTED,
    Deliverable.Status.CHANGES_REQUESTED,
]


def user_is_ops(user: User) -> bool:
    return user.has_perm(OPS_VIEW)


def agency_of(user: User) -> Agency | None:
    membership = getattr(user, "agency_membership", None)
    return membership.agency if membership is not None else None


def briefs_visible_to(*, user: User) -> QuerySet[Brief]:
    briefs = Brief.objects.select_related("agency", "campaign")
    if user_is_ops(user):
        return briefs
    if user.has_perm(PORTAL):
        return briefs.filter(agency__memberships__user=user)
    return briefs.none()


def deliverables_visible_to(*, user: User) -> QuerySet[Deliverable]:
    deliverables = Deliverable.objects.select_related("brief", "brief__agency", "brief__campaign")
    if user_is_ops(user):
        return deliverables
    if user.has_perm(PORTAL):
        return deliverables.filter(brief__agency__memberships__user=user)
    return deliverables.none()


def brief_get(*, pk: int, user: User) -> Brief:
    return get_object_or_404(briefs_visible_to(user=user), pk=pk)


def deliverable_get(*, pk: int, user: User) -> Deliverable:
    return get_object_or_404(deliverables_visible_to(user=user), pk=pk)


def version_get(*, pk: int, user: User) -> DeliverableVersion:
    return get_object_or_404(
        DeliverableVersion.objects.select_related("deliverable", "deliverable__brief").filter(
            deliverable__in=deliverables_visible_to(user=user)
        ),
        pk=pk,
    )


def comment_get(*, pk: int, user: User) -> ReviewComment:
    return get_object_or_404(
        ReviewComment.objects.select_related("version", "version__deliverable").filter(
            version__deliverable__in=deliverables_visible_to(user=user)
        ),
        pk=pk,
    )


def notification_get(*, pk: int, user: User) -> Notification:
    return get_object_or_404(Notification.objects.filter(user=user), pk=pk)


def notifications_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def comments_threads(*, version: DeliverableVersion) -> list[ReviewComment]:
    """Top-level comments, each with `thread` (its replies in order)."""
    comments = list(version.comments.select_related("author", "resolved_by"))
    replies: dict[int, list[ReviewComment]] = {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    roots = [comment for comment in comments if comment.parent_id is None]
    for root in roots:
        root.thread = replies.get(root.pk, [])
    return roots


# --- Tracking -------------------------------------------------------------------------------


def local_today() -> date:
    return timezone.localdate()


def deliverables_tracking(
    *,
    status: str = "",
    agency_id: str | int = "",
    campaign_id: str | int = "",
    due_before: date | None = None,
) -> QuerySet[Deliverable]:
    deliverables = Deliverable.objects.select_related(
        "brief", "brief__agency", "brief__campaign"
    ).order_by("due_date", "id")
    if status:
        deliverables = deliverables.filter(status=status)
    if agency_id:
        deliverables = deliverables.filter(brief__agency_id=agency_id)
    if campaign_id:
        deliverables = deliverables.filter(brief__campaign_id=campaign_id)
    if due_before:
        deliverables = deliverables.filter(due_date__lte=due_before)
    return deliverables


def deliverables_overdue(*, today: date | None = None) -> QuerySet[Deliverable]:
    """Due before today and not yet approved or delivered."""
    return deliverables_tracking().filter(
        due_date__lt=today or local_today(), status__in=OPEN_STATUSES
    )


@dataclass(frozen=True)
class AgencyFigures:
    agency: Agency
    deliverables: int
    approved: int
    on_time: int
    change_rounds: int
    time_to_approval: timedelta | None

    @property
    def on_time_rate(self) -> float | None:
        """Approved by their due date ÷ approved."""
        return self.on_time / self.approved if self.approved else None

    @property
    def rounds_per_deliverable(self) -> float | None:
        """Requests for changes ÷ deliverables."""
        return self.change_rounds / self.deliverables if self.deliverables else None


def agency_figures_list() -> list[AgencyFigures]:
    """Per agency, counted in SQL: deliverables, approved, approved on time (the local date
    of approval on or before the due date), requests for changes, mean time from the
    deliverable's creation to its approval."""
    approval_time = ExpressionWrapper(
        F("approved_at") - F("created_at"), output_field=DurationField()
    )
    by_agency: dict[int, Mapping[str, Any]] = {
        row["brief__agency"]: row
        for row in Deliverable.objects.values("brief__agency")
        .annotate(
            total=Count("id"),
            approved=Count("id", filter=Q(approved_at__isnull=False)),
            on_time=Count("id", filter=Q(approved_at__date__lte=F("due_date"))),
            time_to_approval=Avg(approval_time, filter=Q(approved_at__isnull=False)),
        )
        .order_by()
    }
    rounds = {
        row["deliverable__brief__agency"]: row["n"]
        for row in DeliverableTransition.objects.filter(
            to_status=Deliverable.Status.CHANGES_REQUESTED
        )
        .values("deliverable__brief__agency")
        .annotate(n=Count("id"))
        .order_by()
    }
    figures = []
    for agency in Agency.objects.order_by("name"):
        row = by_agency.get(agency.pk, {})
        figures.append(
            AgencyFigures(
                agency=agency,
                deliverables=row.get("total", 0),
                approved=row.get("approved", 0),
                on_time=row.get("on_time", 0),
                change_rounds=rounds.get(agency.pk, 0),
                time_to_approval=row.get("time_to_approval"),
            )
        )
    return figures


# --- Agencies and their people (ops, `agencies.change_agency`) -----------------------------


def agencies_list() -> QuerySet[Agency]:
    return Agency.objects.annotate(
        members_active=Count("memberships", filter=Q(memberships__user__is_active=True)),
        members_all=Count("memberships"),
    ).order_by("name")


def agency_get(*, pk: int) -> Agency:
    return get_object_or_404(Agency, pk=pk)


def agency_members(*, agency: Agency) -> list[Person]:
    users = (
        User.objects.filter(agency_membership__agency=agency)
        .prefetch_related("groups", "invitations")
        .order_by("username")
    )
    return [person_of(user) for user in users]


def membership_get(*, agency: Agency, user_pk: int) -> AgencyMembership:
    """A member of exactly this agency (404 for anyone else, or another agency's member)."""
    return get_object_or_404(
        AgencyMembership.objects.select_related("user", "agency"), agency=agency, user_id=user_pk
    )
