"""Markets (countries), the playbooks seen in them, campaigns adapted from a playbook, and
proposals that argue for a change from that evidence. Campaigns, creators and content keep
their market as a two-letter code; `markets.selectors` looks the Market up."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from programs.models import Metric

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HOME_MARKET = "MX"


class Market(models.Model):
    """A country the program runs in or learns from, by ISO 3166-1 alpha-2 code."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=80)
    default_language = models.CharField(_("default language"), max_length=8)
    currency = models.CharField(_("currency"), max_length=3)
    # IANA names, the main one first.
    time_zones = models.JSONField(_("time zones"), default=list, blank=True)

    class Meta:
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def _percent_field(label: "StrOrPromise") -> models.DecimalField:
    return models.DecimalField(label, max_digits=7, decimal_places=2, null=True, blank=True)


class Playbook(models.Model):
    """A strategy seen in a market: kind, channel sequence, cadence, formats, incentive,
    audience and its reported results, with how applicable it looks for Mexico.

    `steps` is the ordered channel sequence, `[{"channel", "day", "purpose"}, …]` (day 0 is
    the first send); `markets.steps` reads and writes it as `whatsapp@0:announce;push@3:remind`.
    Rates are percentages as published (42.5 means 42.5 %); uplift is in percent too."""

    market = models.ForeignKey(
        Market, verbose_name=_("market"), on_delete=models.PROTECT, related_name="playbooks"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("campaign kind"), max_length=16, choices=Campaign.Kind.choices)
    steps = models.JSONField(_("channel sequence"), default=list)
    cadence = models.CharField(_("cadence"), max_length=200, blank=True)
    content_formats = models.CharField(_("content formats"), max_length=200, blank=True)
    incentive = models.TextField(_("incentive design"), blank=True)
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    open_rate = _percent_field(_("open rate (%)"))
    click_rate = _percent_field(_("click-through rate (%)"))
    completion_rate = _percent_field(_("completion rate (%)"))
    uplift = _percent_field(_("uplift (%)"))
    results_source = models.CharField(_("source of the results"), max_length=300, blank=True)
    results_date = models.DateField(_("date of the results"), null=True, blank=True)
    notes = models.TextField(_("what made it work"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    applicability = models.PositiveSmallIntegerField(
        _("applicability to Mexico (1–5)"),
        null=True,
        blank=True,
        choices=[(n, str(n)) for n in range(1, 6)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["market_id", "title"]
        constraints = [
            models.UniqueConstraint(fields=["market", "title"], name="playbook_unique_title")
        ]
        permissions = [("import_playbooks", _("Can import playbooks from CSV"))]

    def __str__(self) -> str:
        return f"{self.title} ({self.market_id})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("playbook-detail", args=[self.pk])

    @property
    def channels(self) -> list[str]:
        """The channels of the sequence, each once, in order of first use."""
        return list(dict.fromkeys(step["channel"] for step in self.steps))


class AdaptedCampaign(models.Model):
    """A draft campaign built from a playbook by “Adapt for MX”, and the schedule plan it took
    from it: `steps` are the playbook's steps (channel, day offset from the first send,
    purpose) as they were when adapted. Campaigns send each channel at the send time; the
    later offsets are the plan ops follow (shown on the campaign page) until sequences exist."""

    playbook = models.ForeignKey(
        Playbook, verbose_name=_("playbook"), on_delete=models.PROTECT, related_name="adaptations"
    )
    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="adaptation",
    )
    steps = models.JSONField(_("schedule plan"), default=list)
    # The measurement plan, recorded before launch (docs/outcomes.md): what should move, by how
    # much at least, and the holdout it is measured against.
    hypothesis = models.TextField(_("hypothesis"), blank=True)
    outcome_metric = models.CharField(
        _("metric"), max_length=20, choices=Metric.choices, default=Metric.GMV
    )
    minimum_detectable_effect = models.DecimalField(
        _("minimum detectable effect (per creator)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    planned_holdout_percent = models.DecimalField(
        _("holdout (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("adapted campaign")
        verbose_name_plural = _("adapted campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign_id} ← {self.playbook_id}"


class Proposal(models.Model):
    """A short write-up that argues for a change from playbooks and our own campaigns.
    Moves draft → proposed → accepted / rejected through `markets.proposals` (audited); an
    accepted proposal later records its measured outcome."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    evidence_playbooks = models.ManyToManyField(
        Playbook, verbose_name=_("playbooks as evidence"), blank=True, related_name="proposals"
    )
    evidence_campaigns = models.ManyToManyField(
        "campaigns.Campaign",
        verbose_name=_("our campaigns as evidence"),
        blank=True,
        related_name="proposals",
    )
    evidence_notes = models.TextField(_("evidence"), blank=True)
    proposed_change = models.TextField(_("proposed change"))
    expected_effect = models.TextField(_("expected effect"))
    measurement = models.TextField(_("how we'll measure it"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome = models.TextField(_("measured outcome"), blank=True)
    outcome_recorded_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=now)
    updated_at = models.DateTimeField(_("updated"), default=now)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-updated_at", "-pk"]
        permissions = [("decide_proposal", _("Can accept or reject proposals"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("proposal-detail", args=[self.pk])
