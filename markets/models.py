"""Markets (countries), the playbooks seen in them, campaigns adapted from a playbook, and
proposals that argue for a change from that evidence. Campaigns, creators and content keep
their market as a two-letter code; `markets.selectors` looks the Market up."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
