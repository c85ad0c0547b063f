"""Writes: agencies, briefs, deliverables and their transitions, versions, review and
notifications. Each service is one transaction that records its audit entry; emails leave
on commit through a task."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import partial
from typing import IO, Any

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from accounts.roles import Role
from agencies import selectors, tasks
from agencies.exceptions import (
    ActorNotAllowed,
    CommentInvalid,
    NotEducational,
    TransitionNotAllowed,
    UploadRefused,
    VersionEmpty,
    VersionNotLatest,
)
from agencies.models import (
    Agency,
    AgencyMembership,
    Brief,
    ChecklistItem,
    Deliverable,
    DeliverableTransition,
    DeliverableVersion,
    Notification,
    Review,
    ReviewComment,
)
from agencies.uploads import agency_files_storage, upload_check, upload_store
from audit.services import audit_record
from common.system_messages import SystemMessage, system_messages_define

# In-app notices, kept as codes: the reader may not read the writer's language.
system_messages_define(
    {
        "notification.brief_new": gettext_lazy("New brief: %(title)s"),
        "notification.delivered": gettext_lazy("%(title)s was marked delivered."),
        "notification.version_ready": gettext_lazy(
            "%(title)s: version %(number)d is ready for review."
        ),
        "notification.version_approved": gettext_lazy("%(title)s version %(number)d was approved."),
        "notification.version_changes": gettext_lazy("%(title)s version %(number)d needs changes."),
    }
)

S = Deliverable.Status
AGENCY, REVIEWER = "agency", "reviewer"
REVIEW = "agencies.review_deliverable"

# (from, to) → who may make the move: the deliverable's agency, or an ops reviewer.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.BRIEFED, S.IN_PROGRESS): AGENCY,
    (S.IN_PROGRESS, S.SUBMITTED): AGENCY,
    (S.CHANGES_REQUESTED, S.SUBMITTED): AGENCY,
    (S.SUBMITTED, S.CHANGES_REQUESTED): REVIEWER,
    (S.SUBMITTED, S.APPROVED): REVIEWER,
    (S.APPROVED, S.DELIVERED): REVIEWER,
}


def _is_member(user: User, agency_id: int) -> bool:
    return (
        user.has_perm(selectors.PORTAL)
        and AgencyMembership.objects.filter(user=user, agency_id=agency_id).exists()
    )


def _may_act(user: User, side: str, deliverable: Deliverable) -> bool:
    if side == REVIEWER:
        return user.has_perm(REVIEW)
    return _is_member(user, deliverable.brief.agency_id)


# --- Agencies ---------------------------------------------------------------------------


@transaction.atomic
def agency_create(
    *,
    actor: User | None,
    name: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> Agency:
    agency = Agency.objects.create(
        name=name,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
    )
    audit_record(actor=actor, action="agency.create", target=agency)
    return agency


@transaction.atomic
def agency_member_add(*, actor: User | None, agency: Agency, user: User) -> AgencyMembership:
    """Put a user in an agency and in the `agency` role (the portal and nothing else)."""
    membership, _created = AgencyMembership.objects.update_or_create(
        user=user, defaults={"agency": agency}
    )
    user.groups.add(Group.objects.get(name=Role.AGENCY.value))
    audit_record(
        actor=actor, action="agency.member_add", target=agency, detail={"user": user.get_username()}
    )
    return membership


@transaction.atomic
def agency_member_invite(*, actor: User, agency: Agency, email: str) -> tuple[User, str]:
    """Invite `email` to work for `agency` (and only it): an inactive user in the `agency`
    role and this agency's membership, with an emailed single-use link to set a password.
    Returns the user and the link's path."""
    user, path = account_services.user_invite(
        actor=actor, email=email, role=Role.AGENCY.value, roles=(Role.AGENCY.value,)
    )
    agency_member_add(actor=actor, agency=agency, user=user)
    return user, path


@transaction.atomic
def agency_member_invite_again(*, actor: User, membership: AgencyMembership) -> str:
    """A new link for a member who has not accepted yet (the earlier link stops working)."""
    return account_services.user_invite_again(actor=actor, user=membership.user)


@transaction.atomic
def agency_member_remove(*, actor: User, membership: AgencyMembership) -> None:
    """Take someone off an agency: they no longer belong to it, lose the `agency` role and
    cannot sign in; inviting the address again (to an agency or the team) brings them back."""
    user, agency = membership.user, membership.agency
    membership.delete()
    if user.is_active or user.invitations.filter(accepted_at=None, revoked_at=None).exists():
        account_services.user_deactivate(actor=actor, user=user)
    user.groups.remove(Group.objects.get(name=Role.AGENCY.value))
    audit_record(
        actor=actor,
        action="agency.member_remove",
        target=agency,
        detail={"user": user.get_username()},
    )


# --- Briefs and deliverables ------------------------------------------------------------


@transaction.atomic
def brief_create(
    *,
    actor: User,
    agency: Agency,
    checklist: Sequence[str] = (),
    deliverables: Sequence[dict[str, Any]] = (),
    **fields: Any,
) -> Brief:
    """A brief with its checklist and deliverables; the agency's people are told."""
    brief = Brief.objects.create(agency=agency, created_by=actor, **fields)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(brief=brief, text=text, position=position)
        for position, text in enumerate(item.strip() for item in checklist)
        if text
    )
    for spec in deliverables:
        Deliverable.objects.create(brief=brief, **spec)
    audit_record(actor=actor, action="brief.create", target=brief, detail={"agency": agency.name})
    notifications_create(
        users=agency_users(agency=agency),
        text=SystemMessage("notification.brief_new", title=brief.title),
        url=reverse("agency-brief", args=[brief.pk]),
    )
    return brief


@transaction.atomic
def deliverable_add(
    *, actor: User, brief: Brief, kind: str, title: str, due_date: date
) -> Deliverable:
    deliverable = Deliverable.objects.create(brief=brief, kind=kind, title=title, due_date=due_date)
    audit_record(actor=actor, action="deliverable.create", target=deliverable)
    return deliverable


@transaction.atomic
def deliverable_transition(
    *, deliverable: Deliverable, to_status: str, actor: User, note: str = ""
) -> Deliverable:
    """Move a deliverable one allowed step, if `actor` is on the side that makes that step."""
    deliverable = (
        Deliverable.objects.select_for_update().select_related("brief").get(pk=deliverable.pk)
    )
    side = TRANSITIONS.get((deliverable.status, to_status))
    if side is None:
        raise TransitionNotAllowed(S(deliverable.status).label, S(to_status).label)
    if not _may_act(actor, side, deliverable):
        raise ActorNotAllowed()
    from_status = deliverable.status
    deliverable.status = to_status
    fields = ["status"]
    if to_status == S.APPROVED:
        deliverable.approved_at = timezone.now()
        fields.append("approved_at")
    deliverable.save(update_fields=fields)
    DeliverableTransition.objects.create(
        deliverable=deliverable,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
    )
    audit_record(
        actor=actor,
        action=f"deliverable.{to_status}",
        target=deliverable,
        detail={"from": from_status, "to": to_status},
    )
    return deliverable


def deliverable_start(*, deliverable: Deliverable, actor: User) -> Deliverable:
    return deliverable_transition(deliverable=deliverable, to_status=S.IN_PROGRESS, actor=actor)


@transaction.atomic
def deliverable_deliver(*, deliverable: Deliverable, actor: User) -> Deliverable:
    deliverable = deliverable_transition(
        deliverable=deliverable, to_status=S.DELIVERED, actor=actor
    )
    notifications_create(
        users=agency_users(agency=deliverable.brief.agency),
        text=SystemMessage("notification.delivered", title=deliverable.title),
        url=reverse("deliverable-detail", args=[deliverable.pk]),
    )
    return deliverable


# --- Versions ---------------------------------------------------------------------------


@transaction.atomic
def version_submit(
    *,
    deliverable: Deliverable,
    actor: User,
    text: str = "",
    upload: UploadedFile | None = None,
    video_url: str = "",
    note: str = "",
) -> DeliverableVersion:
    """A new version, kept alongside the earlier ones; the deliverable becomes submitted and
    ops are told it's their turn."""
    if not (text.strip() or upload or video_url):
        raise VersionEmpty()
    if not _is_member(actor, deliverable.brief.agency_id):
        raise ActorNotAllowed()
    # The caller's copy may be stale; decide on the row as it is now, locked.
    deliverable = (
        Deliverable.objects.select_for_update().select_related("brief").get(pk=deliverable.pk)
    )
    if deliverable.status == S.BRIEFED:
        deliverable = deliverable_start(deliverable=deliverable, actor=actor)
    if (deliverable.status, S.SUBMITTED) not in TRANSITIONS:
        raise TransitionNotAllowed(S(deliverable.status).label, S.SUBMITTED.label)
    file_fields: dict[str, Any] = {}
    if upload is not None:
        filetype = upload_check(upload=upload)
        file_fields = {
            "file_path": upload_store(
                upload=upload, deliverable_id=deliverable.pk, filetype=filetype
            ),
            "file_name": (upload.name or "")[:200],
            "file_type": filetype,
            "file_size": upload.size,
        }
    number = deliverable.versions.count() + 1
    version = DeliverableVersion.objects.create(
        deliverable=deliverable,
        number=number,
        text=text,
        video_url=video_url,
        note=note,
        created_by=actor,
        **file_fields,
    )
    deliverable_transition(deliverable=deliverable, to_status=S.SUBMITTED, actor=actor, note=note)
    audit_record(
        actor=actor,
        action="deliverable_version.submit",
        target=version,
        detail={"number": number, "file_type": version.file_type},
    )
    notifications_create(
        users=reviewers_of(deliverable=deliverable),
        text=SystemMessage("notification.version_ready", title=deliverable.title, number=number),
        url=reverse("deliverable-detail", args=[deliverable.pk]) + f"?v={version.pk}",
    )
    return version


def version_file_open(*, version: DeliverableVersion, actor: User) -> IO[bytes]:
    """Open a version's file for download and record who did."""
    if not version.file_path:
        raise UploadRefused(_("This version has no file."))
    handle = agency_files_storage().open(version.file_path, "rb")
    audit_record(
        actor=actor,
        action="deliverable_version.download",
        target=version,
        detail={"file": version.file_name},
    )
    return handle


# --- Review -----------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *,
    version: DeliverableVersion,
    actor: User,
    body: str,
    line: int | None = None,
    quote: str = "",
    parent: ReviewComment | None = None,
) -> ReviewComment:
    """A comment anchored to a line or a quoted passage of the version's text, or a reply."""
    if parent is not None:
        if parent.version_id != version.pk:
            raise ActorNotAllowed()
        parent = parent.parent or parent  # one level of threading
        line, quote = None, ""
    else:
        lines = version.text.splitlines()
        if line is not None and not 1 <= line <= len(lines):
            raise CommentInvalid(
                _("Line %(line)d does not exist; this version has %(count)d lines.")
                % {"line": line, "count": len(lines)}
            )
        if quote and quote not in version.text:
            raise CommentInvalid(_("The quoted passage is not in this version."))
    comment = ReviewComment.objects.create(
        version=version, author=actor, body=body, line=line, quote=quote, parent=parent
    )
    audit_record(
        actor=actor,
        action="review_comment.add",
        target=comment,
        target_label=f"{version} #{comment.pk}",
    )
    return comment


@transaction.atomic
def comment_resolve(*, comment: ReviewComment, actor: User) -> ReviewComment:
    comment.resolved_at, comment.resolved_by = timezone.now(), actor
    comment.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="review_comment.resolve",
        target=comment,
        target_label=f"{comment.version} #{comment.pk}",
    )
    return comment


@transaction.atomic
def review_submit(
    *,
    version: DeliverableVersion,
    actor: User,
    decision: str,
    summary: str,
    checked_items: Iterable[ChecklistItem] = (),
) -> Review:
    """End a review of the latest version: approve, or request changes with a summary; the
    agency is told it's their turn."""
    deliverable = version.deliverable
    latest = deliverable.versions.order_by("-number").first()
    if latest is None or latest.pk != version.pk:
        raise VersionNotLatest()
    to_status = S.APPROVED if decision == Review.Decision.APPROVE else S.CHANGES_REQUESTED
    deliverable_transition(deliverable=deliverable, to_status=to_status, actor=actor, note=summary)
    review = Review.objects.create(
        version=version, reviewer=actor, decision=decision, summary=summary
    )
    review.checked_items.set(
        [item for item in checked_items if item.brief_id == deliverable.brief_id]
    )
    audit_record(
        actor=actor,
        action=f"review.{decision}",
        target=deliverable,
        detail={"version": version.number},
    )
    code = (
        "notification.version_approved"
        if to_status == S.APPROVED
        else "notification.version_changes"
    )
    notifications_create(
        users=agency_users(agency=deliverable.brief.agency),
        text=SystemMessage(code, title=deliverable.title, number=version.number),
        url=reverse("deliverable-detail", args=[deliverable.pk]) + f"?v={version.pk}",
    )
    return review


# --- Notifications ----------------------------------------------------------------------


def agency_users(*, agency: Agency) -> list[User]:
    return [membership.user for membership in agency.memberships.select_related("user")]


def reviewers_of(*, deliverable: Deliverable) -> list[User]:
    """Whoever wrote the brief and whoever reviewed this deliverable before."""
    people = {}
    if deliverable.brief.created_by is not None:
        people[deliverable.brief.created_by_id] = deliverable.brief.created_by
    for review in Review.objects.filter(version__deliverable=deliverable).select_related(
        "reviewer"
    ):
        if review.reviewer is not None:
            people[review.reviewer_id] = review.reviewer
    return list(people.values())


def notifications_create(
    *, users: Iterable[User], text: str | SystemMessage, url: str
) -> list[Notification]:
    """A notice to each user: the system's words as a `SystemMessage` (kept as its code, read
    in each reader's language), or a text as written."""
    stored = text.as_json() if isinstance(text, SystemMessage) else {}
    created = [
        Notification.objects.create(user=user, text=str(text)[:300], text_message=stored, url=url)
        for user in users
    ]
    for notification in created:
        if notification.user.email:
            transaction.on_commit(partial(tasks.notification_email_send.delay, notification.pk))
    return created


def notification_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# Deliverable kind → education item kind: a script is the text of a video.
EDUCATION_KINDS: dict[str, str] = {
    Deliverable.Kind.SCRIPT: "video",
    Deliverable.Kind.VIDEO: "video",
    Deliverable.Kind.GUIDE: "guide",
}


@transaction.atomic
def deliverable_education_draft(*, deliverable: Deliverable, actor: User):
    """Turn an approved deliverable into a draft education item in the brief's language: its
    latest version's text becomes the body (and its video link the video), the agency is
    credited, and ops finish it in the education editor. Returns the `ContentItem`."""
    from django.utils.text import slugify

    from education.models import ContentItem
    from education.services import content_version_save

    kind = EDUCATION_KINDS.get(deliverable.kind)
    approved = (Deliverable.Status.APPROVED, Deliverable.Status.DELIVERED)
    if kind is None or deliverable.status not in approved:
        raise NotEducational()
    brief = deliverable.brief
    latest = deliverable.versions.order_by("-number").first()
    base = (
        slugify(brief.education_slug or deliverable.title)[:70] or f"deliverable-{deliverable.pk}"
    )
    slug, n = base, 1
    while ContentItem.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    item = ContentItem.objects.create(
        slug=slug,
        kind=kind,
        topic=ContentItem.Topic.CONTENT_QUALITY,
        owner=actor if actor.is_authenticated else None,
        agency=brief.agency.name[:120],
    )
    content_version_save(
        item=item,
        locale=brief.language,
        title=deliverable.title[:200],
        summary="",
        body=latest.text if latest else "",
        video_url=latest.video_url if latest else "",
    )
    audit_record(
        actor=actor,
        action="deliverable.to_education",
        target=deliverable,
        detail={"education_item": item.slug},
    )
    return item
