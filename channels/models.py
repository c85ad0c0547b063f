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
