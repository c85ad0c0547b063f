import hashlib

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


def url_digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


class TrackedLink(models.Model):
    """A URL that appeared in a rendered message. Click tokens name a link by id, so a click
    can only ever redirect to a URL Altavoz itself put in a message."""

    url = models.URLField(_("URL"), max_length=2000)
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """Something that happened to one delivery. Append-only: rows are inserted, never edited,
    except that a click later found to be part of a scanner's burst is flagged `automated`.

    `dedupe_key` is unique per delivery: a webhook retried by its provider, or the same open
    seen by our pixel and by SendGrid, maps to the same key and is stored (and counted) once.
    A NULL key never conflicts (every occurrence is kept)."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")
        COMPLAINED = "complained", _("Complained (spam report)")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        READ = "read", _("Read (WhatsApp)")
        DEFERRED = "deferred", _("Deferred")

    class Source(models.TextChoices):
        PIXEL = "pixel", _("Open pixel")
        REDIRECT = "redirect", _("Click redirect")
        SENDGRID = "sendgrid", _("SendGrid event")
        TWILIO = "twilio", _("Twilio status callback")
        APP = "app", _("App report")
        INBOX = "inbox", _("Inbox")

    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(
        "campaigns.Delivery", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    # Denormalised from the delivery so counting never joins the deliveries table.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.CharField(_("channel"), max_length=8)
    locale = models.CharField(_("language"), max_length=5)
    variant = models.CharField(_("variant"), max_length=16, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    occurred_at = models.DateTimeField(_("occurred"))
    recorded_at = models.DateTimeField(_("recorded"), default=now)
    automated = models.BooleanField(_("automated"), default=False)
    automated_reason = models.CharField(_("why automated"), max_length=16, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    ip_hash = models.CharField(_("IP (hashed)"), max_length=32, blank=True)
    link = models.ForeignKey(
        TrackedLink,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    provider_event_id = models.CharField(_("provider event id"), max_length=128, blank=True)
    # NULL on purpose: a NULL key never conflicts (events that are all kept).
    dedupe_key = models.CharField(max_length=160, null=True, blank=True)  # noqa: DJ001
    error_code = models.CharField(_("error code"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "dedupe_key"], name="event_unique_dedupe")
        ]
        indexes = [
            models.Index(fields=["campaign", "kind"], name="event_campaign_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of delivery {self.delivery_id}"


class Rollup(models.Model):
    """Counts per campaign, channel, language, variant and hour, kept up to date as events
    are recorded (atomic upserts) and rebuildable from the events by `rollup_recount`.

    Unique counts (`delivered`, `opened`, `clicked`) count each delivery once, in the hour
    of its first qualifying event; the `*_total`, `machine_opens` and `bot_clicks` columns
    count events."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)
    locale = models.CharField(max_length=5)
    variant = models.CharField(max_length=16, blank=True, default="")
    hour = models.DateTimeField()
    delivered = models.IntegerField(default=0)
    opened = models.IntegerField(default=0)
    clicked = models.IntegerField(default=0)
    opens_total = models.IntegerField(default=0)
    clicks_total = models.IntegerField(default=0)
    machine_opens = models.IntegerField(default=0)
    bot_clicks = models.IntegerField(default=0)
    bounced = models.IntegerField(default=0)
    complained = models.IntegerField(default=0)
    unsubscribed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel", "locale", "variant", "hour"],
                name="rollup_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.channel} {self.locale} {self.hour:%Y-%m-%d %H}h"


class LinkRollup(models.Model):
    """Clicks per campaign and link, for the top-links table."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="+")
    clicks = models.IntegerField(default=0)
    bot_clicks = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "link"], name="linkrollup_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} link {self.link_id}"


class FailureRollup(models.Model):
    """Failures reported after acceptance (bounce, drop, undelivered) per provider code."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)
    error_code = models.CharField(max_length=64)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel", "error_code"], name="failurerollup_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.channel} {self.error_code}"


class DeliveryCountsSnapshot(models.Model):
    """A finished campaign's delivery counts (what `selectors.delivery_counts_get` returns),
    kept so its page never counts a million deliveries again. Valid while the campaign's
    `finished_at` equals the one it was taken for: a re-send reopens the campaign and the
    next finish takes a new one; a late provider verdict deletes it."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="delivery_counts_snapshot",
    )
    finished_at = models.DateTimeField()
    counts = models.JSONField()
    computed_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.campaign_id} counts at {self.computed_at:%Y-%m-%d %H:%M}"


class WebhookBatch(models.Model):
    """A provider's webhook request, stored as received once its signature checked out, so
    the request is answered at once and applied later by a worker (docs/tracking.md).

    `applied_at` is set in the same transaction that applies the events, so a batch is
    applied exactly once; one left unapplied (a lost task, a worker killed mid-batch) is
    picked up by `tracking.tasks.webhook_batches_sweep`."""

    class Provider(models.TextChoices):
        SENDGRID = "sendgrid", _("SendGrid")

    id = models.BigAutoField(primary_key=True)
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    body = models.TextField(_("body"))
    received_at = models.DateTimeField(_("received"), default=now)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    events = models.IntegerField(_("events"), default=0)
    recorded = models.IntegerField(_("recorded"), default=0)
    unchanged = models.IntegerField(_("unchanged"), default=0)
    ignored = models.IntegerField(_("ignored"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook batch")
        verbose_name_plural = _("webhook batches")
        indexes = [
            models.Index(
                fields=["received_at"],
                name="webhookbatch_unapplied",
                condition=models.Q(applied_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} batch {self.pk}"


class DrainedChunk(models.Model):
    """A chunk of queued hits the drain recorded, by its claim key, written in the same
    transaction as its events: a drain that committed and died before dropping its claim
    from Redis leaves the claim behind, and whoever takes it over sees it was recorded
    (replaying it would not be a no-op: a replayed click can look like a burst)."""

    claim = models.CharField(max_length=80, primary_key=True)
    hits = models.IntegerField(default=0)
    recorded_at = models.DateTimeField(default=now, db_index=True)

    def __str__(self) -> str:
        return self.claim
