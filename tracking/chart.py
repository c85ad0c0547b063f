"""The stats page's opens-and-clicks chart: per minute while the campaign's activity spans
less than `MINUTE_SPAN` (a campaign in its first hours, or one that was over in minutes),
per hour after that.

Per hour reads the rollups (`tracking.Rollup`). Per minute reads the deliveries' first human
open and click (the same unique counts the rollups keep, bucketed by minute) and the flagged
events (machine opens, bot clicks), both through indexes led by the campaign, and only while
the activity is that short. Empty minutes between the first and the last are filled with 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format, time_format

from campaigns.models import Campaign, Delivery
from tracking.models import Event, Rollup

MINUTE_SPAN = timedelta(hours=3)
MAX_FILLED_HOURS = timedelta(days=14)  # beyond, only the hours with activity are drawn
SERIES = ("opened", "clicked", "machine_opens", "bot_clicks")


@dataclass
class ActivityChart:
    bucket: str  # "minute" or "hour"
    labels: list[str] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    clicked: list[int] = field(default_factory=list)
    machine_opens: list[int] = field(default_factory=list)
    bot_clicks: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "labels": self.labels,
            **{name: getattr(self, name) for name in SERIES},
        }


def _hourly_rows(campaign_id: int) -> list[tuple[datetime, int, int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hour, SUM(opened), SUM(clicked), SUM(machine_opens), SUM(bot_clicks) "
            f"FROM {Rollup._meta.db_table} WHERE campaign_id = %s GROUP BY hour ORDER BY hour",
            [campaign_id],
        )
        return [(hour, int(o), int(c), int(m), int(b)) for hour, o, c, m, b in cursor.fetchall()]


def _minute_rows(campaign_id: int) -> list[tuple[datetime, int, int, int, int]]:
    deliveries, events = Delivery._meta.db_table, Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, SUM(o), SUM(c), SUM(m), SUM(b) FROM ("
            f" SELECT date_trunc('minute', first_opened_at) AS t, 1 AS o, 0 AS c, 0 AS m, 0 AS b"
            f" FROM {deliveries} WHERE campaign_id = %s AND first_opened_at IS NOT NULL"
            " UNION ALL"
            f" SELECT date_trunc('minute', first_clicked_at), 0, 1, 0, 0"
            f" FROM {deliveries} WHERE campaign_id = %s AND first_clicked_at IS NOT NULL"
            " UNION ALL"
            " SELECT date_trunc('minute', occurred_at), 0, 0,"
            " (kind IN ('opened', 'read'))::int, (kind = 'clicked')::int"
            f" FROM {events} WHERE campaign_id = %s AND automated"
            " AND kind IN ('opened', 'read', 'clicked')"
            ") AS activity GROUP BY t ORDER BY t",
            [campaign_id] * 3,
        )
        return [(t, int(o), int(c), int(m), int(b)) for t, o, c, m, b in cursor.fetchall()]


def _filled(
    rows: list[tuple[datetime, int, int, int, int]], step: timedelta
) -> list[tuple[datetime, int, int, int, int]]:
    if not rows:
        return []
    by_time = {row[0]: row for row in rows}
    filled, moment = [], rows[0][0]
    while moment <= rows[-1][0]:
        filled.append(by_time.get(moment, (moment, 0, 0, 0, 0)))
        moment += step
    return filled


def _day(moment: datetime) -> Any:
    return timezone.localtime(moment).date()


def campaign_activity_chart(*, campaign: Campaign) -> ActivityChart:
    hourly = _hourly_rows(campaign.pk)
    if hourly and hourly[-1][0] - hourly[0][0] < MINUTE_SPAN:
        chart = ActivityChart(bucket="minute")
        rows = _filled(_minute_rows(campaign.pk), timedelta(minutes=1))
        fmt = lambda moment: time_format(moment, "TIME_FORMAT")  # noqa: E731
        if rows and _day(rows[0][0]) != _day(rows[-1][0]):
            fmt = lambda moment: date_format(moment, "SHORT_DATETIME_FORMAT")  # noqa: E731
    else:
        chart = ActivityChart(bucket="hour")
        long_ago = hourly and hourly[-1][0] - hourly[0][0] > MAX_FILLED_HOURS
        rows = hourly if long_ago else _filled(hourly, timedelta(hours=1))
        fmt = lambda moment: date_format(moment, "SHORT_DATETIME_FORMAT")  # noqa: E731
    for moment, opened, clicked, machine, bot in rows:
        chart.labels.append(fmt(timezone.localtime(moment)))
        chart.opened.append(opened)
        chart.clicked.append(clicked)
        chart.machine_opens.append(machine)
        chart.bot_clicks.append(bot)
    return chart
