"""The education library: content items in both languages, learning paths, and each
creator's progress through them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from creators.models import Locale


class ContentItem(models.Model):
    """A video, guide, tutorial, webinar or FAQ. Its words live in one ContentVersion per
    language; its status moves only through `education.services.content_item_transition`."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        GUIDE = "guide", _("Guide")
        TUTORIAL = "tutorial", _("Tutorial")
        WEBINAR = "webinar", _("Webinar")
        FAQ = "faq", _("FAQ")

    class Topic(models.TextChoices):
        CONTENT_QUALITY = "content_quality", _("Content quality")
        PLATFORM = "platform", _("Platform knowledge")
        POLICIES = "policies", _("Policies and compliance")
        SELLING_LIVE = "selling_live", _("Selling and LIVE")
        AFFILIATE_TOOLS = "affiliate_tools", _("Affiliate tools")

    class Level(models.IntegerChoices):
        BEGINNER = 1, _("Beginner")
        INTERMEDIATE = 2, _("Intermediate")
        ADVANCED = 3, _("Advanced")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.BEGINNER
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A plain name until agencies get their own model.
    agency = models.CharField(_("produced by (agency)"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), default=now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        ordering = ["level", "slug"]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("education-item", kwargs={"pk": self.pk})

    def version_for(self, locale: str) -> "ContentVersion | None":
        """The version in `locale`, else the es-MX one, else any."""
        versions = {version.locale: version for version in self.versions.all()}
        return (
            versions.get(locale)
            or versions.get(Locale.ES_MX)
            or next(iter(versions.values()), None)
        )


class ContentVersion(models.Model):
    """An item's words in one language. The body is markdown-ish plain text: it is escaped
    when shown, so an author can never put raw HTML in front of a creator."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="versions")
    locale = models.CharField(_("language"), max_length=5, choices=Locale.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("body"), blank=True)
    video_url = models.URLField(_("video URL"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=now)

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "locale"], name="contentversion_unique_locale")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.locale}: {self.title}"


class LearningPath(models.Model):
    """Items in order: a course."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=ContentItem.Level.choices, default=ContentItem.Level.BEGINNER
    )
    published = models.BooleanField(_("published"), default=False)
    items = models.ManyToManyField(
        ContentItem, through="LearningPathItem", related_name="paths", verbose_name=_("items")
    )
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")
        ordering = ["level", "slug"]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("education-path", kwargs={"pk": self.pk})

    def title_for(self, locale: str) -> str:
        return self.title_en if locale == Locale.EN else self.title_es


class LearningPathItem(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("path item")
        verbose_name_plural = _("path items")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "item"], name="learningpathitem_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.path_id} #{self.position}: {self.item_id}"


class LearningProgress(models.Model):
    """How far one creator got with one item. Moves forward only (visited → started → 50% →
    completed); `delivery` is the message whose link first brought them, for attribution."""

    class Stage(models.TextChoices):
        VISITED = "visited", _("Visited")
        STARTED = "started", _("Started")
        HALF = "half", _("Halfway")
        COMPLETED = "completed", _("Completed")

    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="learning_progress"
    )
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="progress")
    delivery = models.ForeignKey(
        "campaigns.Delivery", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    percent = models.PositiveSmallIntegerField(_("percent"), default=0)
    visited_at = models.DateTimeField(_("first visit"), default=now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    half_at = models.DateTimeField(_("halfway"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    visits = models.PositiveIntegerField(_("visits"), default=1)

    class Meta:
        verbose_name = _("learning progress")
        verbose_name_plural = _("learning progress")
        constraints = [
            models.UniqueConstraint(fields=["creator", "item"], name="learningprogress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} {self.item_id} {self.percent}%"

    @property
    def stage(self) -> str:
        if self.completed_at:
            return self.Stage.COMPLETED
        if self.half_at:
            return self.Stage.HALF
        if self.started_at:
            return self.Stage.STARTED
        return self.Stage.VISITED
