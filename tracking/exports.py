"""A campaign's deliveries as CSV, one row per delivery, streamed from a server-side cursor so
a million rows never sit in memory: who was sent what, and when it was delivered, opened,
clicked and replied to. Filterable by outcome ("export who clicked").

Times are the first human open and click (machine opens and bot clicks aside, as in the
rates) and the first WhatsApp reply (keywords aside), in the ops time zone with its offset.
`status` is the delivery's, except `bounced` for a delivery accepted and then bounced,
dropped or undelivered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from io import StringIO

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign, Delivery
from common.csv import csv_writer
from creators.models import Creator
from tracking.models import Event
from tracking.replies import reply_times_sql
from tracking.services import KEY_FAIL

OUTCOMES: dict[str, object] = {
    "": gettext_lazy("All deliveries"),
    "clicked": gettext_lazy("Clicked"),
    "opened": gettext_lazy("Opened"),
    "replied": gettext_lazy("Replied"),
    "not_opened": gettext_lazy("Reached, not opened"),
    "failed": gettext_lazy("Failed or bounced"),
}

COLUMNS = (
    "creator",
    "channel",
    "language",
    "variant",
    "status",
    "sent_at",
    "delivered_at",
    "opened_at",
    "clicked_at",
    "replied_at",
)
CHUNK = 2000


def _conditions(outcome: str, failed: str) -> str:
    return {
        "": "TRUE",
        "clicked": "d.first_clicked_at IS NOT NULL",
        "opened": "d.first_opened_at IS NOT NULL",
        "replied": "r.replied_at IS NOT NULL",
        "not_opened": (
            f"d.status = 'sent' AND NOT {failed}"
            " AND d.first_opened_at IS NULL AND d.first_clicked_at IS NULL"
        ),
        "failed": f"(d.status = 'failed' OR (d.status = 'sent' AND {failed}))",
    }[outcome]


def deliveries_export_sql(*, outcome: str) -> str:
    """The export's query; two `%s` parameters: the campaign id, twice."""
    quote = connection.ops.quote_name
    deliveries, creators = quote(Delivery._meta.db_table), quote(Creator._meta.db_table)
    events = quote(Event._meta.db_table)
    failed = (
        f"EXISTS (SELECT 1 FROM {events} e WHERE e.delivery_id = d.id"
        f" AND e.dedupe_key = '{KEY_FAIL}')"
    )
    return (
        "SELECT c.handle, d.channel, d.locale, d.variant,"
        f" CASE WHEN d.status = 'sent' AND {failed} THEN 'bounced' ELSE d.status END,"
        " d.sent_at, d.first_delivered_at, d.first_opened_at, d.first_clicked_at, r.replied_at"
        f" FROM {deliveries} d JOIN {creators} c ON c.id = d.creator_id"
        f" LEFT JOIN ({reply_times_sql()}) r ON r.delivery_id = d.id"
        f" WHERE d.campaign_id = %s AND {_conditions(outcome, failed)} ORDER BY d.id"
    )


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def deliveries_csv_lines(*, campaign: Campaign, outcome: str) -> Iterator[str]:
    """The CSV, a chunk of lines at a time (header first). `outcome` must be a key of
    OUTCOMES (the view checks it)."""
    buffer = StringIO()
    writer = csv_writer(buffer)
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    with connection.chunked_cursor() as cursor:
        cursor.execute(deliveries_export_sql(outcome=outcome), [campaign.pk, campaign.pk])
        while rows := cursor.fetchmany(CHUNK):
            buffer.seek(0)
            buffer.truncate()
            for handle, channel, locale, variant, status, *moments in rows:
                writer.writerow(
                    [handle, channel, locale, variant, status, *(_moment(m) for m in moments)]
                )
            yield buffer.getvalue()
