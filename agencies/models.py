"""Content agencies, the briefs ops write for them and the deliverables they send back.

Agency users are ordinary users in the `agency` role; what they see is decided by their
`AgencyMembership`, never by the page (see `agencies/selectors.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.system_messages import system_message_render


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        permissions = [("use_portal", _("Can use the agency portal"))]

    def __str__(self) -> str:
        return self.name


class AgencyMembership(models.Model):
    """A user who works for an agency; a user belongs to at most one."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership"
    )

    class Meta:
        verbose_name = _("agency member")
        verbose_name_plural = _("agency members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"


class Language(models.TextChoices):
    ES_MX = "es-MX", _("Spanish (Mexico)")
    EN = "en", _("English")


class Brief(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="briefs"
    )
    title = models.CharField(_("title"), max_length=160)
    objective = models.TextField(_("objective"))
    audience = models.TextField(_("audience"), blank=True)
    key_messages = models.TextField(_("key messages"), blank=True)
    tone = models.CharField(_("tone"), max_length=200, blank=True)
    dos = models.TextField(_("do's"), blank=True)
    donts = models.TextField(_("don'ts"), blank=True)
    references = models.TextField(_("references"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ES_MX
    )
    format = models.CharField(_("format"), max_length=120, blank=True)
    length = models.CharField(_("length"), max_length=120, blank=True)
    first_draft_due = models.DateField(_("first draft due"), null=True, blank=True)
    final_due = models.DateField(_("final due"))
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="briefs",
    )
    # The education app is built elsewhere; its item is referred to by slug until it lands.
    education_slug = models.CharField(_("education item"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("brief")
        verbose_name_plural = _("briefs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(_("item"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Deliverable(models.Model):
    class Kind(models.TextChoices):
        SCRIPT = "script", _("Script")
        VIDEO = "video", _("Video")
        GUIDE = "guide", _("Guide")
        THUMBNAIL = "thumbnail", _("Thumbnail")
        CAPTION_SET = "caption_set", _("Caption set")

    class Status(models.TextChoices):
        BRIEFED = "briefed", pgettext_lazy("deliverable status", "Briefed")
        IN_PROGRESS = "in_progress", pgettext_lazy("deliverable status", "In progress")
        SUBMITTED = "submitted", pgettext_lazy("deliverable status", "Submitted")
        CHANGES_REQUESTED = (
            "changes_requested",
            pgettext_lazy("deliverable status", "Changes requested"),
        )
        APPROVED = "approved", pgettext_lazy("deliverable status", "Approved")
        DELIVERED = "delivered", pgettext_lazy("deliverable status", "Delivered")

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="deliverables")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=160)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.BRIEFED, db_index=True
    )
    due_date = models.DateField(_("due"))
    created_at = models.DateTimeField(_("created"), default=now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["due_date", "id"]
        permissions = [("review_deliverable", _("Can review agency deliverables"))]

    def __str__(self) -> str:
        return self.title


class DeliverableTransition(models.Model):
    """Every change of a deliverable's status, with who made it."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=20, choices=Deliverable.Status.choices)
    to_status = models.CharField(max_length=20, choices=Deliverable.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.deliverable}: {self.from_status} → {self.to_status}"


class DeliverableVersion(models.Model):
    """One submission: text (scripts, caption sets), an uploaded file, or a video link."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("text"), blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    # Relative to AGENCY_FILES_DIR, outside the web root; served by `version_file` only.
    file_path = models.CharField(max_length=300, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    file_type = models.CharField(max_length=16, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} v{self.number}"


class Review(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        CHANGES = "changes", _("Request changes")

    version = models.ForeignKey(
        DeliverableVersion, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    summary = models.TextField(_("summary"))
    checked_items = models.ManyToManyField(ChecklistItem, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version}: {self.decision}"


class ReviewComment(models.Model):
    """A comment on a version, anchored to a line or a quoted passage; replies thread under it."""

    # Not a column: `agencies.selectors.comments_threads` sets it on top-level comments.
    thread: list[ReviewComment]

    version = models.ForeignKey(
        DeliverableVersion, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    quote = models.TextField(_("quoted passage"), blank=True)
    body = models.TextField(_("comment"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} #{self.pk}"


class Notification(models.Model):
    """An in-app notice for one user; the header shows how many are unread."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_notifications"
    )
    text = models.CharField(max_length=300)  # as written when made (shown if no message)
    # The notice as a system message (code and parameters), shown in the reader's language.
    text_message = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text_shown

    @property
    def text_shown(self) -> str:
        """The notice in the active language (older notices: as they were written)."""
        return system_message_render(self.text_message) or self.text
