from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.timezone import now
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.csv import csv_encoding_label
from creators.geo import STATE_CHOICES
from creators.import_result import header_problem_message, import_problems_shown


class Channel(models.TextChoices):
    """The four ways Altavoz reaches a creator; consent is kept per channel."""

    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PUSH = "push", _("Push")
    INBOX = "inbox", _("Inbox")


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")
    UNKNOWN = "unknown", _("Unknown")


class Locale(models.TextChoices):
    ES_MX = "es-MX", _("Spanish (Mexico)")
    EN = "en", _("English")


class ContentType(models.TextChoices):
    VIDEO = "video", _("Video")
    LIVE = "live", _("LIVE")
    BOTH = "both", _("Video and LIVE")


# Creator columns that hold the current consent for each channel.
CONSENT_FIELDS: dict[str, str] = {
    Channel.EMAIL: "consent_email",
    Channel.WHATSAPP: "consent_whatsapp",
    Channel.PUSH: "consent_push",
    Channel.INBOX: "consent_inbox",
}


def _consent_label(channel_label: str) -> str:
    return gettext("%(channel)s consent") % {"channel": gettext(channel_label)}


# Lazy, so the label follows the language of each request (and migrations see the English).
_consent_label_lazy = lazy(_consent_label, str)


def _consent_field(channel_label: str, default: str) -> models.CharField:
    return models.CharField(
        _consent_label_lazy(channel_label),
        max_length=8,
        choices=ConsentStatus.choices,
        default=default,
    )


HANDLE_MAX_LENGTH = 64


class Creator(models.Model):
    """An affiliate creator. Current consent per channel lives here; its history in ConsentChange."""

    handle = models.CharField(_("handle"), max_length=HANDLE_MAX_LENGTH, unique=True)
    name = models.CharField(_("display name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=16, blank=True)
    locale = models.CharField(
        _("language"), max_length=5, choices=Locale.choices, default=Locale.ES_MX
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="America/Mexico_City")
    state = models.CharField(_("state"), max_length=64, blank=True)
    market = models.CharField(_("market"), max_length=2, default="MX")
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    followers = models.PositiveBigIntegerField(_("followers"), default=0)
    gmv_30d = models.DecimalField(
        _("GMV, last 30 days (MXN)"), max_digits=14, decimal_places=2, default=0
    )
    category = models.CharField(_("primary category"), max_length=64, blank=True)
    content_type = models.CharField(
        _("content type"), max_length=5, choices=ContentType.choices, default=ContentType.VIDEO
    )
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    last_active_at = models.DateTimeField(_("last active"), null=True, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # The creator's own quiet hours (preference center), in their time zone; both empty: the
    # campaign's or settings.QUIET_HOURS.
    quiet_hours_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours end"), null=True, blank=True)

    consent_email = _consent_field("Email", ConsentStatus.UNKNOWN)
    consent_whatsapp = _consent_field("WhatsApp", ConsentStatus.UNKNOWN)
    consent_push = _consent_field("Push", ConsentStatus.UNKNOWN)
    # Inbox needs no opt-in: it is on unless the creator opts out.
    consent_inbox = _consent_field("Inbox", ConsentStatus.GRANTED)
    # Portal links made before this moment no longer work (creators.services.creator_portal_revoke).
    portal_revoked_at = models.DateTimeField(_("portal links revoked"), null=True, blank=True)
    # WhatsApp lets a business send free text only within 24 hours of the creator's last
    # message; each inbound message moves this forward. Outside it, only approved templates.
    whatsapp_window_open_until = models.DateTimeField(
        _("WhatsApp window open until"), null=True, blank=True
    )

    created_at = models.DateTimeField(_("created"), default=now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=now)

    class Meta:
        verbose_name = _("creator")
        verbose_name_plural = _("creators")
        ordering = ["handle"]
        # An inbound WhatsApp message finds its creator by number (conversations.selectors).
        indexes = [
            models.Index(fields=["phone"], name="creator_phone"),
            # The list's "most followers" / "highest GMV" orders, walked by keyset (id breaks ties).
            models.Index(fields=["followers", "id"], name="creator_followers_id"),
            models.Index(fields=["gmv_30d", "id"], name="creator_gmv_id"),
            models.Index(fields=["last_active_at", "id"], name="creator_active_id"),
            # The search box: part of a name (trigrams) and the start of an email, any case
            # (`creator_search`'s `name__icontains` and `email__istartswith`).
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="creator_name_upper_trgm"),
            models.Index(
                OpClass(Upper("email"), name="text_pattern_ops"),
                name="creator_email_upper_prefix",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"

    def get_absolute_url(self) -> str:
        return reverse("creator-detail", kwargs={"pk": self.pk})

    @property
    def state_name(self) -> str:
        return dict(STATE_CHOICES).get(self.state, self.state)

    def consent_for(self, channel: str) -> str:
        return getattr(self, CONSENT_FIELDS[channel])


class ConsentChange(models.Model):
    """Append-only history of consent: who or what changed a creator's consent on a channel."""

    class Source(models.TextChoices):
        IMPORT = "import", _("CSV import")
        ADMIN = "admin", _("Admin")
        API = "api", _("API")
        PREFERENCE_CENTER = "preferences", _("Preference center")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        PROVIDER = "provider", _("Provider event")
        WHATSAPP_KEYWORD = "whatsapp_keyword", _("WhatsApp keyword")
        OPS = "ops", _("Ops app")

    # No index of its own: consent_creator_channel begins with creator_id and serves the same
    # lookups, and each index on this table costs the bulk import a write per consent.
    creator = models.ForeignKey(
        Creator, on_delete=models.CASCADE, related_name="consent_changes", db_index=False
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=8, choices=ConsentStatus.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    recorded_at = models.DateTimeField(_("recorded"), default=now)
    # Why a person changed it by hand in the ops app (blank for the other sources), and who.
    # db_default: the importer's and demo's raw INSERT/COPY name their columns and leave it out.
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="", db_default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(
                fields=["creator", "channel", "-recorded_at"], name="consent_creator_channel"
            ),
            # Deleting a user sets their changes' changed_by to NULL. Only changes made by hand
            # have a person, so the index leaves out the NULLs (every imported consent).
            models.Index(
                fields=["changed_by"],
                condition=models.Q(changed_by__isnull=False),
                name="consent_changed_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} {self.channel} {self.status} ({self.source})"


class Suppression(models.Model):
    """An address that must not be messaged on a channel (bounce, complaint, unsubscribe)."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
        INVALID = "invalid", _("Invalid address")
        MANUAL = "manual", _("Added by hand")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("suppression")
        verbose_name_plural = _("suppressions")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="suppression_unique_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address} ({self.reason})"


class Device(models.Model):
    """A push token of one of the creator's app installs."""

    class Platform(models.TextChoices):
        ANDROID = "android", "Android"
        IOS = "ios", "iOS"
        WEB = "web", "Web"

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="devices")
    token = models.CharField(_("token"), max_length=4096, unique=True)
    platform = models.CharField(_("platform"), max_length=8, choices=Platform.choices)
    last_seen_at = models.DateTimeField(_("last seen"), default=now)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.platform} device of {self.creator_id}"


class ImportJob(models.Model):
    """One CSV upload from the ops app, imported in the background by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows in file"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    errors_total = models.PositiveIntegerField(_("problems found"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    warnings_total = models.PositiveIntegerField(_("cells dropped"), default=0)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    # Why the file was refused whole, as a code (creators.importer.HEADER_MESSAGES) and its
    # parameters, shown in the reader's language; `failure` keeps a crash's technical text.
    failure_code = models.CharField(_("refusal code"), max_length=32, blank=True)
    failure_params = models.JSONField(_("refusal details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("creator import")
        verbose_name_plural = _("creator imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("creator-import-job", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def errors_shown(self) -> list[dict]:
        """`errors` with each message in the active language (see creators.import_result)."""
        return import_problems_shown(self.errors)

    @property
    def warnings_shown(self) -> list[dict]:
        return import_problems_shown(self.warnings)

    @property
    def failure_message(self) -> str:
        """Why the job failed, in the active language."""
        if self.failure_code:
            return header_problem_message(self.failure_code, self.failure_params)
        return self.failure

    @property
    def encoding_label(self) -> str:
        return csv_encoding_label(self.encoding) if self.encoding else ""

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.rows_done * 100 // self.total_rows)
