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
