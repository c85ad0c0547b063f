from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


class InboxMessage(models.Model):
    """A message in a creator's in-app message center: what the Inbox channel 'sends'."""

    creator = models.ForeignKey("creators.Creator", on_delete=models.CASCADE, related_name="inbox")
    delivery = models.OneToOneField(
        "campaigns.Delivery", on_delete=models.CASCADE, related_name="inbox_message"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    cta_label = models.CharField(_("call to action"), max_length=80, blank=True)
    cta_link = models.URLField(_("call to action link"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), default=now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        indexes = [models.Index(fields=["creator", "-created_at"], name="inbox_creator_recent")]

    def __str__(self) -> str:
        return self.title


class WhatsAppTemplate(models.Model):
    """An approved-or-not WhatsApp template of Twilio's Content API, as last synced
    (channels/whatsapp_templates.py). Campaign messages name one by `sid` (their
    `content_sid`) and fill its `{{1}}`-style placeholders with their `variables`."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Pending")
        RECEIVED = "received", _("Received")
        IN_APPEAL = "in_appeal", _("In appeal")
        PAUSED = "paused", _("Paused")
        REJECTED = "rejected", _("Rejected")
        DISABLED = "disabled", _("Disabled")
        UNSUBMITTED = "unsubmitted", _("Not submitted")
        UNKNOWN = "unknown", _("Unknown")
        DELETED = "deleted", _("Deleted at Twilio")

    # A template Meta stopped (or that Twilio no longer lists): campaigns using one are told.
    STOPPED = (Status.PAUSED, Status.REJECTED, Status.DISABLED, Status.DELETED)

    sid = models.CharField(_("SID"), max_length=34, unique=True)
    friendly_name = models.CharField(_("name"), max_length=200)
    # As Twilio has it ("es_MX", "es", "en"); `locale` is Altavoz's (es-MX, en) or blank.
    language = models.CharField(_("language"), max_length=16, blank=True)
    locale = models.CharField(_("locale"), max_length=5, blank=True)
    category = models.CharField(_("category"), max_length=32, blank=True)
    content_type = models.CharField(_("content type"), max_length=32, blank=True)
    body = models.TextField(_("body"), blank=True)
    # Placeholder name -> its default (sample) value, as the Content API lists them, plus
    # every placeholder found in the body.
    variables = models.JSONField(_("variables"), default=dict, blank=True)
    buttons = models.JSONField(_("buttons"), default=list, blank=True)
    status = models.CharField(
        _("WhatsApp approval"), max_length=16, choices=Status.choices, default=Status.UNKNOWN
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    synced_at = models.DateTimeField(_("synced"), default=now)

    class Meta:
        verbose_name = _("WhatsApp template")
        verbose_name_plural = _("WhatsApp templates")
        ordering = ["friendly_name", "sid"]

    def __str__(self) -> str:
        return f"{self.friendly_name} ({self.sid})"

    @property
    def approved(self) -> bool:
        return self.status == self.Status.APPROVED
