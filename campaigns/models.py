from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

import channels.base  # noqa: F401  (the codes of the notes the system keeps on deliveries)
from common.system_messages import (
    SystemMessage,
    system_message_from_text,
    system_message_render,
    system_messages_define,
)
from creators.models import Channel, Locale

# A delivery dispatch refused before the provider, kept on `Delivery.error_message` as its
# code (the others are in channels/base.py).
system_messages_define(
    {
        "delivery.outside_whatsapp_window": _(
            "Not sent: the creator has not written on WhatsApp in the last 24 hours, and "
            "this message has no approved template for creators outside that window."
        ),
        # A checked template that still failed for one creator (campaigns.exceptions
        # TemplateRenderFailed): the template's field and line, and the renderer's cause.
        "delivery.render_failed": _("Field %(field)s, line %(line)d: %(cause)s"),
    }
)


class Campaign(models.Model):
    """A send to a segment over one or more channels, now, at a time, or on a recurring schedule."""

    class Kind(models.TextChoices):
        COMPETITION = "competition", _("Competition")
        MISSION = "mission", _("Mission")
        INITIATIVE = "initiative", _("Special initiative")
        EDUCATION = "education", _("Education push")
        ANNOUNCEMENT = "announcement", _("Announcement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")

    class Approval(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    market = models.CharField(_("market"), max_length=2, default="MX")
    segment = models.ForeignKey(
        "segments.Segment",
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    default_locale = models.CharField(
        _("default language"), max_length=5, choices=Locale.choices, default=Locale.ES_MX
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # When the competition, mission or initiative itself runs (shown to ops; not a send time).
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Recurring campaigns fire from a django-celery-beat PeriodicTask, editable in the admin.
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        verbose_name=_("recurring schedule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Each launch (one for a one-off campaign, one per firing for a recurring one) is a run.
    last_run = models.PositiveIntegerField(_("last run"), default=0)
    # The last run whose fan-out task ran: behind `last_run`, the run's fan-out is still to be
    # enqueued or done (the broker may have been down at launch) and the watchdog enqueues it.
    fanout_run = models.PositiveIntegerField(_("fanned-out run"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    created_at = models.DateTimeField(_("created"), default=now, editable=False)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # How the wizard's schedule step said to start it, applied when launched or approved:
    # {"mode": "now"}, {"mode": "at", "send_at": ISO 8601} or {"mode": "recurring", "crontab": {…}}.
    schedule_plan = models.JSONField(_("schedule plan"), default=dict, blank=True)
    # Approval (settings.REQUIRE_APPROVAL): an editor submits, a manager approves or rejects.
    approval_status = models.CharField(
        _("approval"), max_length=10, choices=Approval.choices, blank=True, default=""
    )
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approval requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approval_requested_at = models.DateTimeField(_("approval requested"), null=True, blank=True)
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approval_decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    approval_note = models.CharField(_("approval note"), max_length=500, blank=True)  # a person's
    # The system's note on the decision ("approved by launching it"), as a stored system
    # message: rendered when shown, in the viewer's language.
    approval_note_message = models.JSONField(_("system approval note"), default=dict, blank=True)

    # Sending policies (docs/policies.md). Quiet hours: both empty means settings.QUIET_HOURS;
    # a creator's own quiet hours (preference center) win over these.
    quiet_hours_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    # Send at this local time in every creator's time zone (the next one at or after launch).
    send_local_time = models.TimeField(_("send at local time"), null=True, blank=True)
    # Spread the run's sends evenly over this many seconds (0: as fast as the providers allow).
    spread_seconds = models.PositiveIntegerField(_("spread sends over (seconds)"), default=0)
    # Transactional campaigns are exempt from frequency caps.
    transactional = models.BooleanField(_("transactional"), default=False)
    # Send by priority: each creator gets the first channel listed here they can be reached
    # on, and the next one if that fails permanently. Empty: every channel in `channels`.
    channel_priority = models.JSONField(_("channel priority"), default=list, blank=True)
    # A/B test: {"A": 50, "B": 50}; messages carry the variant key. Empty: no variants.
    variant_weights = models.JSONField(_("variant weights"), default=dict, blank=True)
    holdout_percent = models.DecimalField(
        _("holdout (%)"), max_digits=5, decimal_places=2, default=0
    )
    # Test phase: the variants go to this share of the audience first; the winner goes to
    # the rest `winner_after_minutes` later. 0: every creator gets a variant at once.
    test_percent = models.DecimalField(
        _("test share (%)"), max_digits=5, decimal_places=2, default=0
    )
    winner_metric = models.CharField(
        _("winner metric"),
        max_length=3,
        choices=[("ctr", _("Click rate")), ("or", _("Open rate"))],
        default="ctr",
    )
    winner_after_minutes = models.PositiveIntegerField(
        _("pick the winner after (minutes)"), default=240
    )
    winner_variant = models.CharField(_("winning variant"), max_length=16, blank=True)
    winner_picked_at = models.DateTimeField(_("winner picked"), null=True, blank=True)
    # Campaign outcome (docs/outcomes.md): days after each creator's send measured against as
    # many days before it, sent versus holdout.
    outcome_window_days = models.PositiveSmallIntegerField(
        _("outcome window (days)"), default=14, db_default=14
    )

    # A recurring firing that comes while the previous run is still open (quiet hours, a later
    # sequence step): skipped, or queued to start when that run finishes (docs/dispatch.md).
    class BusyFiring(models.TextChoices):
        SKIP = "skip", _("Skip it")
        QUEUE = "queue", _("Queue it until the open run finishes")

    busy_firing = models.CharField(
        _("a firing during an open run"),
        max_length=5,
        choices=BusyFiring.choices,
        default=BusyFiring.SKIP,
    )
    # Sequences (docs/sequences.md): what takes a creator out of every later step, a subset of
    # SequenceStep.EXITS ("enrolled", "unsubscribed", "clicked", "replied").
    sequence_exit = models.JSONField(_("sequence exit rule"), default=list, blank=True)
    # Triggered campaigns (docs/triggers.md): {"event": name, "where": <rules over props>,
    # "repeat": "once" | "always" | {"every_days": N}}. Empty: launched by ops or a clock.
    # Launching arms it (status `sending`); each matching event sends to its creator.
    trigger = models.JSONField(_("trigger"), default=dict, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        permissions = [
            ("launch_campaign", _("Can launch, pause, resume and cancel campaigns")),
            ("approve_campaign", _("Can approve campaigns for launch")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaign-detail", args=[self.pk])

    @property
    def approval_note_text(self) -> str:
        """The approval's note in the active language: a manager's words as written, the
        system's rendered from its code."""
        return self.approval_note or system_message_render(self.approval_note_message)


class CampaignTransition(models.Model):
    """Every change of a campaign's status, with who made it and when."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=10, choices=Campaign.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Campaign.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)  # a person's own words
    # A note the system wrote, as common.system_messages stores it: rendered when shown, in
    # the viewer's language ({"code": "campaign.settled", "params": {}}).
    note_message = models.JSONField(_("system note"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=now)

    class Meta:
        verbose_name = _("campaign transition")
        verbose_name_plural = _("campaign transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.from_status} → {self.to_status}"

    @property
    def note_text(self) -> str:
        """The note in the active language: a person's words as written, the system's
        rendered from its code."""
        return self.note or system_message_render(self.note_message)


class CampaignFiring(models.Model):
    """Every time the campaign's schedule fired (django-celery-beat), and what came of it: a
    new run, queued behind the open run (then started when it finished), or skipped with the
    reason. The reason is a code, shown translated."""

    class Outcome(models.TextChoices):
        STARTED = "started", _("Started a run")
        QUEUED = "queued", _("Queued behind the open run")
        STARTED_LATE = "started_late", _("Started a run when the open one finished")
        SKIPPED = "skipped", _("Skipped")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        RUN_OPEN = "run_open", _("The previous run was still open")
        PAUSED = "paused", _("The campaign was paused")
        NOT_SCHEDULED = "not_scheduled", _("The campaign was no longer scheduled")
        CANCELLED = "cancelled", _("The campaign was cancelled while the firing waited")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="firings")
    fired_at = models.DateTimeField(_("fired"), default=now)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.CharField(
        _("reason"), max_length=16, choices=Reason.choices, blank=True, default=""
    )
    # The run this firing started (when it did), and when it started.
    run = models.PositiveIntegerField(_("run"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign firing")
        verbose_name_plural = _("campaign firings")
        ordering = ["-fired_at", "-id"]
        indexes = [
            models.Index(
                fields=["campaign", "fired_at"],
                name="campaignfiring_queued",
                condition=models.Q(outcome="queued"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} fired {self.fired_at:%Y-%m-%d %H:%M}: {self.outcome}"


class Message(models.Model):
    """The content of a campaign on one channel in one language; every text field is a template."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    locale = models.CharField(_("language"), max_length=5, choices=Locale.choices)
    # The A/B variant key ("A", "B", …) of campaign.variant_weights; empty without variants.
    variant = models.CharField(_("variant"), max_length=16, blank=True, default="")
    # The SequenceStep (its id) this message belongs to; 0: the campaign's own first send.
    step = models.PositiveIntegerField(_("sequence step"), default=0, db_default=0)
    # Channel fields as named in the API: email {subject, preheader, html, text}, whatsapp
    # {content_sid, variables} or {body}, push {title, body, link, image}, inbox {title, body,
    # cta_label, cta_link}.
    fields = models.JSONField(_("fields"), default=dict)
    updated_at = models.DateTimeField(_("updated"), default=now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "step", "channel", "locale", "variant"],
                name="message_unique_step_channel_locale_variant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.channel} {self.locale} {self.variant}".rstrip()


class Delivery(models.Model):
    """One message to one creator on one channel for one run of a campaign: sent at most once.

    A worker claims a batch (`claimed`), then marks each chunk `sending` (committed) right
    before calling the provider, and settles it after. A worker that dies leaves `claimed`
    rows (never sent: the watchdog returns them to `pending`) and `sending` rows (maybe sent:
    the watchdog marks them `unknown`, settled by a provider callback, by reconciliation with
    the provider (campaigns/reconcile.py) or by an operator).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Claimed by a worker")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown (worker stopped mid-send)")
        CANCELLED = "cancelled", _("Cancelled")
        SKIPPED_CAP = "skipped_cap", _("Skipped: frequency cap")
        HOLDOUT = "holdout", _("Holdout (not sent)")

    id = models.BigAutoField(primary_key=True)
    # Fan-out writes a million rows at once: the foreign keys are kept by the ORM (cascading
    # deletes included) but not checked row by row by database triggers, which cost more than
    # the insert itself, and `campaign` is indexed by the unique constraint's leading column.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,
    )
    run = models.PositiveIntegerField(_("run"), default=1)
    # The SequenceStep (its id) that sent it; 0: the campaign's own first send.
    step = models.PositiveIntegerField(_("sequence step"), default=0, db_default=0)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="deliveries", db_constraint=False
    )
    locale = models.CharField(_("language"), max_length=5, choices=Locale.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    # A database default too: other writers (benchmarks, tools) insert rows in raw SQL.
    variant = models.CharField(_("variant"), max_length=16, blank=True, default="", db_default="")
    # Channel fallback: the failed delivery (another channel, same run) this one replaces.
    fallback_from = models.BigIntegerField(_("fallback from delivery"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_message = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=now)
    # Set by tracking (tracking/services.py): the earliest delivered / human open / human
    # click seen for this delivery, whatever order the events arrived in.
    first_delivered_at = models.DateTimeField(_("first delivered"), null=True, blank=True)
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    first_clicked_at = models.DateTimeField(_("first clicked"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "run", "step", "channel", "creator"],
                name="delivery_unique_per_run_step",
            )
        ]
        indexes = [
            # What dispatchers claim: a campaign's pending rows, oldest first.
            models.Index(
                fields=["campaign", "channel", "id"],
                name="delivery_pending",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["status", "claimed_at"],
                name="delivery_in_flight",
                condition=models.Q(status__in=["claimed", "sending"]),
            ),
            # Segment leaves `opened` / `clicked` (campaigns/segment_leaves.py): one creator's
            # opens or clicks, read from the index alone (a few rows of all deliveries).
            models.Index(
                fields=["creator", "first_opened_at", "campaign"],
                name="delivery_creator_opened",
                condition=models.Q(first_opened_at__isnull=False),
            ),
            models.Index(
                fields=["creator", "first_clicked_at", "campaign"],
                name="delivery_creator_clicked",
                condition=models.Q(first_clicked_at__isnull=False),
            ),
            # The same leaves by kind or campaign over many creators ("clicked any announcement
            # in 30 days"): the campaigns' recent opens or clicks read as one range per
            # campaign, hashed and joined to creators (docs/segments.md, Speed).
            models.Index(
                fields=["campaign", "first_opened_at"],
                include=["creator"],
                name="delivery_campaign_opened",
                condition=models.Q(first_opened_at__isnull=False),
            ),
            models.Index(
                fields=["campaign", "first_clicked_at"],
                include=["creator"],
                name="delivery_campaign_clicked",
                condition=models.Q(first_clicked_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.channel}, {self.status})"

    @property
    def error_note(self) -> SystemMessage | None:
        """`error_message` when the system wrote it (stored as its code: an adapter's
        unverifiable reason, a lost worker), to show in the viewer's language; None when it
        is the provider's own text, shown as the provider's (`lang="en"`)."""
        return system_message_from_text(self.error_message) if self.error_message else None


class IdempotencyRecord(models.Model):
    """The first answer to an API call made with an Idempotency-Key, replayed for 24 hours."""

    key = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=255)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="idempotency_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


class FanoutSkip(models.Model):
    """How many of a run's audience fan-out left out on a channel, and why: consent not
    granted (`denied`, `unknown`), no way to reach them (`unreachable`: no address or
    device, or a suppressed address), for body-only WhatsApp messages a closed 24-hour
    window (`outside_whatsapp_window`), or the program-wide holdout (`program_holdout`, not
    for transactional campaigns). Updated by each fan-out of the run."""

    class Reason(models.TextChoices):
        DENIED = "denied", _("Consent denied")
        UNKNOWN = "unknown", _("Consent unknown")
        UNREACHABLE = "unreachable", _("No address or suppressed")
        OUTSIDE_WHATSAPP_WINDOW = (
            "outside_whatsapp_window",
            _("Outside the WhatsApp 24-hour window (free text only)"),
        )
        PROGRAM_HOLDOUT = "program_holdout", _("Program-wide holdout (no marketing sends)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="skips")
    run = models.PositiveIntegerField(_("run"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    count = models.PositiveIntegerField(_("creators skipped"), default=0)

    class Meta:
        verbose_name = _("fan-out skip")
        verbose_name_plural = _("fan-out skips")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "run", "channel", "reason"], name="fanoutskip_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} run {self.run} {self.channel}: {self.count} {self.reason}"


class SequenceStep(models.Model):
    """A follow-up of a campaign (docs/sequences.md): sent `wait_minutes` after the previous
    step (the campaign's own send for the first), at `local_time` in each creator's zone if
    set, to the creators who entered the sequence, match `condition` and have not exited."""

    class Condition(models.TextChoices):
        ALL = "all", _("Everyone still in the sequence")
        OPENED = "opened", _("Has opened")
        NOT_OPENED = "not_opened", _("Has not opened")
        CLICKED = "clicked", _("Has clicked")
        NOT_CLICKED = "not_clicked", _("Has not clicked")
        OPENED_NOT_CLICKED = "opened_not_clicked", _("Opened but has not clicked")
        NOT_ENROLLED = "not_enrolled", _("Has not enrolled")
        SEGMENT = "segment", _("Matches a segment rule")
        REPLIED = "replied", _("Replied to the previous step's WhatsApp message")
        NOT_REPLIED = "not_replied", _("Has not replied to the previous step's WhatsApp message")

    EXITS = {
        "enrolled": _("Enrolled in the program"),
        "unsubscribed": _("Unsubscribed (consent denied)"),
        "clicked": _("Clicked"),
        "replied": _("Replied on WhatsApp"),
    }

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sequence_steps")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    wait_minutes = models.PositiveIntegerField(_("wait (minutes after the previous step)"))
    local_time = models.TimeField(_("at local time"), null=True, blank=True)
    condition = models.CharField(
        _("condition"), max_length=20, choices=Condition.choices, default=Condition.ALL
    )
    # A segment rule tree (segments/rules.py) for Condition.SEGMENT, evaluated when the step runs.
    rules = models.JSONField(_("segment rule"), default=dict, blank=True)
    # A removed step never sends; it is kept so its deliveries and counts stay explained.
    removed = models.BooleanField(_("removed"), default=False)
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("sequence step")
        verbose_name_plural = _("sequence steps")
        ordering = ["campaign", "position", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} step {self.position} ({self.channel})"


class SequenceStepRun(models.Model):
    """A step executed for one run of its campaign: the unique row makes a second execution
    (a retried task, two beat ticks) a no-op."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    run = models.PositiveIntegerField(_("run"))
    step = models.ForeignKey(SequenceStep, on_delete=models.CASCADE, related_name="runs")
    executed_at = models.DateTimeField(_("executed"))
    created = models.PositiveIntegerField(_("deliveries created"), default=0)

    class Meta:
        verbose_name = _("sequence step run")
        verbose_name_plural = _("sequence step runs")
        constraints = [
            models.UniqueConstraint(fields=["step", "run"], name="sequence_step_run_unique")
        ]

    def __str__(self) -> str:
        return f"step {self.step_id} run {self.run}"


class TriggerMatch(models.Model):
    """One event that matched a triggered campaign's event name and conditions, and what became
    of it: `sent` (deliveries created in `run`) or skipped with a reason. The unique row makes
    a retried routing task a no-op."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        NOT_IN_SEGMENT = "not_in_segment", _("Not in the segment")
        REPEAT = "repeat", _("Already sent (repeat rule)")
        PAUSED = "paused", _("Campaign paused")
        NOT_REACHABLE = "not_reachable", _("No consent, no address or suppressed")

    id = models.BigAutoField(primary_key=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="trigger_matches")
    # The events table is partitioned and pruned: no foreign key, the id is kept as is.
    event_id = models.BigIntegerField(_("event"))
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    name = models.CharField(_("event name"), max_length=100)
    props = models.JSONField(_("event properties"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred"))
    matched_at = models.DateTimeField(_("matched"), default=now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # The campaign run whose deliveries carry this event (0: nothing was sent).
    run = models.PositiveIntegerField(_("run"), default=0)

    class Meta:
        verbose_name = _("trigger match")
        verbose_name_plural = _("trigger matches")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "event_id"], name="trigger_match_once")
        ]
        indexes = [models.Index(fields=["campaign", "run", "creator"], name="trigger_match_run")]

    def __str__(self) -> str:
        return f"{self.campaign_id} event {self.event_id}: {self.outcome}"


class TriggerFiring(models.Model):
    """When a triggered campaign last sent to a creator, and how often: the row its repeat rule
    (once, every N days, always) is decided on, under the row's lock, so two workers never
    send twice."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    last_occurred_at = models.DateTimeField(_("last event"))
    fired = models.PositiveIntegerField(_("times sent"), default=1)

    class Meta:
        verbose_name = _("trigger firing")
        verbose_name_plural = _("trigger firings")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "creator"], name="trigger_firing_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.creator_id} ×{self.fired}"


class Snippet(models.Model):
    """A reusable block of message text (legal footer, mission rules, prize table), one row per
    slug and language, used in any template as `{{ snippet('reglas-mision') }}`
    (docs/templates.md#snippets). The body is itself a sandboxed template, checked when saved."""

    slug = models.SlugField(_("name"), max_length=60)
    locale = models.CharField(_("language"), max_length=5, choices=Locale.choices)
    body = models.TextField(_("body"))
    description = models.CharField(_("what it is for"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("snippet")
        verbose_name_plural = _("snippets")
        ordering = ["slug", "locale"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="snippet_slug_locale_unique")
        ]

    def __str__(self) -> str:
        return f"{self.slug} ({self.locale})"
