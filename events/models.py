"""What creators did, append-only: posted to /api/events or emitted by Altavoz (docs/events.md).

On PostgreSQL `events_event` is partitioned by month on `occurred_at` (events/partitions.py
creates months ahead and drops those past settings.EVENTS_RETENTION_DAYS; a default partition
takes any row no month holds). Its primary key is (id, occurred_at), as a partitioned table
needs; `id` alone is unique by its sequence. An idempotency key cannot be a unique index on a
partitioned table, so keys live in `EventKey`, pruned with the same retention.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 64
IDEMPOTENCY_KEY_MAX_LENGTH = 255


class Event(models.Model):
    class Source(models.TextChoices):
        API = "api", _("API")
        ALTAVOZ = "altavoz", _("Altavoz")

    id = models.BigAutoField(primary_key=True)
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="+", verbose_name=_("creator")
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    props = models.JSONField(_("properties"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # NULL: the event came without a key (an empty key is refused, so none is "").
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=IDEMPOTENCY_KEY_MAX_LENGTH, null=True, blank=True
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["creator", "name", "occurred_at"], name="events_creator_name_at"),
            models.Index(fields=["name", "occurred_at"], name="events_name_at"),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class EventKey(models.Model):
    """An idempotency key seen, and the event it recorded: the same key again is a duplicate."""

    key = models.CharField(_("key"), max_length=IDEMPOTENCY_KEY_MAX_LENGTH, primary_key=True)
    event_id = models.BigIntegerField(_("event"))
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("event idempotency key")
        verbose_name_plural = _("event idempotency keys")

    def __str__(self) -> str:
        return self.key
