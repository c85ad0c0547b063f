"""Missions, competitions and initiatives: a program attached 1:1 to a campaign, the creators
enrolled in it, their daily metrics, and the marks that make band messages go out once."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    GMV = "gmv", _("GMV (MXN)")
    VIDEOS_POSTED = "videos_posted", _("Videos posted")
    LIVE_HOURS = "live_hours", _("LIVE hours")
    PRODUCTS_SHOWCASED = "products_showcased", _("Products showcased")


class Band(models.TextChoices):
    """How far a creator is towards the goal (see programs.selectors.BAND_EDGES)."""

    NOT_STARTED = "not_started", _("Not started")
    STARTED = "started", _("Started")
    HALFWAY = "halfway", _("Halfway there")
    ALMOST = "almost", _("Almost there")
    DONE = "done", _("Goal reached")


class Program(models.Model):
    """The program side of a campaign of kind mission, competition or initiative."""

    KINDS = ("mission", "competition", "initiative")

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="program",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # Mission goal / competition ranking metric.
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices, blank=True)
    threshold = models.DecimalField(
        _("goal threshold"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reward = models.CharField(_("reward"), max_length=300, blank=True)
    # Competition: [{"rank": 1, "prize": "…"}, …]
    prizes = models.JSONField(_("prizes by rank"), default=list, blank=True)
    rules_text = models.TextField(_("rules"), blank=True)
    # Initiative: free-form goals.
    goals_text = models.TextField(_("goals"), blank=True)
    # ISO dates on which nothing should be sent to this program's creators.
    blackout_dates = models.JSONField(_("blackout dates"), default=list, blank=True)
    rules_url = models.URLField(_("rules page"), blank=True)
    faq_url = models.URLField(_("FAQ page"), blank=True)
    landing_url = models.URLField(_("landing page"), blank=True)
    # The languages the program's messages must exist in (the checklist asks for each).
    locales = models.JSONField(_("languages"), default=list, blank=True)
    notes = models.TextField(_("post-mortem notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-starts_on", "-pk"]
        permissions = [
            ("override_readiness", _("Can launch a campaign whose checklist is not complete")),
            ("import_metrics", _("Can import creator metrics")),
        ]

    def __str__(self) -> str:
        return self.campaign.name

    def get_absolute_url(self) -> str:
        return reverse("program-detail", args=[self.pk])


class Enrolment(models.Model):
    class Source(models.TextChoices):
        LINK = "link", _("Tracked link")
        AUTO = "auto", _("Automatic")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrolments")
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(_("enrolled"), default=now)
    source = models.CharField(_("source"), max_length=4, choices=Source.choices)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["program", "creator"], name="enrolment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.program_id}:{self.creator_id}"


class CreatorMetric(models.Model):
    """One creator's value of one metric on one day (a re-import replaces it)."""

    id = models.BigAutoField(primary_key=True)
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="metrics"
    )
    date = models.DateField(_("date"))
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("creator metric")
        verbose_name_plural = _("creator metrics")
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "metric", "date"], name="creator_metric_unique_day"
            )
        ]
        indexes = [
            # The metric health page probes each (metric, day) for gaps: one index lookup each.
            models.Index(fields=["metric", "date"], name="creator_metric_day"),
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} {self.metric} {self.date}: {self.value}"


class MetricImport(models.Model):
    """One metric import (a CSV file or an API call) and what it did, for the health page.
    Problems are stored as codes with parameters (programs/metric_import.py) and shown in
    the reader's language."""

    class Source(models.TextChoices):
        CSV = "csv", _("CSV file")
        API = "api", _("API")

    at = models.DateTimeField(_("at"), default=now, db_index=True)
    source = models.CharField(_("source"), max_length=3, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    # Rows read (after the header), rows written, rows rejected.
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # {metric: {"rows": n, "first": "YYYY-MM-DD", "last": "YYYY-MM-DD"}} of the rows written.
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    # The first problems: [{"line", "field", "code", "params"}].
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        verbose_name = _("metric import")
        verbose_name_plural = _("metric imports")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.at:%Y-%m-%d %H:%M}"


class BandMessageMark(models.Model):
    """This creator got the band message of this program's band: never again."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="band_marks")
    band = models.CharField(_("band"), max_length=12, choices=Band.choices)
    creator = models.ForeignKey("creators.Creator", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="band_marks"
    )
    sent_at = models.DateTimeField(_("sent"), default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "band", "creator"], name="band_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.band} {self.creator_id}"


class ReadinessOverride(models.Model):
    """A manager launched a campaign whose checklist had failing items, and said why."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="readiness_overrides"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    failing = models.JSONField(_("failing items"), default=list)
    at = models.DateTimeField(_("at"), default=now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.campaign_id} override"


class ManualChecklistItem(models.Model):
    """An item someone added to a campaign's checklist by hand, ticked off by hand."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="manual_checklist_items"
    )
    label = models.CharField(_("item"), max_length=200)
    required = models.BooleanField(_("required for launch"), default=True)
    done = models.BooleanField(_("done"), default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.label
