"""WhatsApp conversations: one thread per creator (or per unknown number), the messages both
ways, and the inbound webhooks as Twilio sent them (docs/conversations.md)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    """The WhatsApp thread with one creator, or with a number no creator has (`creator` is
    NULL: "unknown", until ops link it). Sized for 100,000 threads: the inbox lists them
    newest first (`last_message_at`), filtered by status, assignee or tag."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting")
        CLOSED = "closed", _("Closed")

    id = models.BigAutoField(primary_key=True)
    creator = models.ForeignKey(
        "creators.Creator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("creator"),
    )
    phone = models.CharField(_("phone (E.164)"), max_length=16)
    wa_id = models.CharField(_("WhatsApp id"), max_length=32, blank=True)
    profile_name = models.CharField(_("WhatsApp profile name"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    tags = ArrayField(
        models.CharField(max_length=50), verbose_name=_("tags"), default=list, blank=True
    )
    unread_count = models.PositiveIntegerField(_("unread"), default=0)
    # The last message's first characters, for the inbox list without touching messages.
    preview = models.CharField(_("last message"), max_length=200, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    last_inbound_at = models.DateTimeField(
        _("last message from the creator"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                name="conversation_one_per_creator",
                condition=models.Q(creator__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["phone"],
                name="conversation_one_per_unknown_phone",
                condition=models.Q(creator__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["-last_message_at", "-id"], name="conversation_inbox"),
            models.Index(
                fields=["status", "-last_message_at", "-id"], name="conversation_inbox_status"
            ),
            models.Index(
                fields=["assignee", "-last_message_at", "-id"], name="conversation_inbox_assignee"
            ),
            GinIndex(fields=["tags"], name="conversation_tags"),
            models.Index(fields=["phone"], name="conversation_phone"),
            # The nav's unread badge counts only the few threads with unread messages.
            models.Index(
                fields=["-last_message_at", "-id"],
                name="conversation_unread",
                condition=models.Q(unread_count__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creator or self.phone}"


class Message(models.Model):
    """One WhatsApp message in a conversation, from the creator (`in`) or to them (`out`: an
    ops reply, a keyword confirmation, or a campaign delivery shown in place). Media are kept
    as Twilio's URLs and types, never fetched. Sized for 1,000,000 rows: a thread reads by
    (conversation, at); campaign stats read by delivery."""

    class Direction(models.TextChoices):
        IN = "in", _("From the creator")
        OUT = "out", _("To the creator")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PENDING = "pending", _("Pending")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        UNDELIVERED = "undelivered", _("Undelivered")

    class Keyword(models.TextChoices):
        NONE = "", _("None")
        OPT_OUT = "opt_out", _("Opt-out keyword")
        OPT_IN = "opt_in", _("Opt-in keyword")

    id = models.BigAutoField(primary_key=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    body = models.TextField(_("text"), blank=True)
    # [{"url": ..., "content_type": ...}]
    media = models.JSONField(_("media"), default=list, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    location_label = models.CharField(_("location name"), max_length=200, blank=True)
    location_address = models.CharField(_("location address"), max_length=300, blank=True)
    button_payload = models.CharField(_("button payload"), max_length=200, blank=True)
    button_text = models.CharField(_("button text"), max_length=200, blank=True)
    keyword = models.CharField(
        _("keyword"), max_length=8, choices=Keyword.choices, blank=True, default=""
    )
    # Twilio's MessageSid; NULL for an outbound message not yet accepted by Twilio.
    provider_sid = models.CharField(
        _("provider message id"), max_length=64, null=True, blank=True, unique=True
    )
    replied_to_sid = models.CharField(_("replied to message id"), max_length=64, blank=True)
    content_sid = models.CharField(_("template"), max_length=64, blank=True)
    variables = models.JSONField(_("template variables"), default=dict, blank=True)
    # In: the campaign delivery this message answers. Out: the campaign delivery it is.
    delivery = models.ForeignKey(
        "campaigns.Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversation_messages",
        db_index=False,
    )
    # Denormalised from `delivery`, so a campaign's reply figures never scan its deliveries.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    at = models.DateTimeField(_("at"), default=now)
    raw = models.JSONField(_("webhook parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["conversation", "at", "id"], name="message_thread"),
            models.Index(
                fields=["delivery"],
                name="message_delivery",
                condition=models.Q(delivery__isnull=False),
            ),
            models.Index(
                fields=["campaign", "direction"],
                name="message_campaign",
                condition=models.Q(campaign__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.provider_sid or self.pk}"


class InboundWebhook(models.Model):
    """Twilio's incoming-message webhook as received, once its signature checked out: stored
    by `MessageSid` (a retry is a no-op), answered at once, turned into a Message by a worker.
    `processed_at` is set in the transaction that stores the Message; a row left unprocessed
    is picked up by `conversations.tasks.inbound_webhooks_sweep`."""

    id = models.BigAutoField(primary_key=True)
    message_sid = models.CharField(_("message id"), max_length=64, unique=True)
    params = models.JSONField(_("parameters"))
    received_at = models.DateTimeField(_("received"), default=now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("inbound webhook")
        verbose_name_plural = _("inbound webhooks")
        indexes = [
            models.Index(
                fields=["received_at"],
                name="inboundwebhook_unprocessed",
                condition=models.Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.message_sid


class CannedAnswer(models.Model):
    """A ready-made reply ops pick in a thread, in both languages. Each text is a sandboxed
    Jinja2 template like a campaign's WhatsApp body (`{{ creator.first_name }}`,
    `learn("slug")`), checked on save and rendered for the thread's creator."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    body_es_mx = models.TextField(_("text (Spanish, Mexico)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
