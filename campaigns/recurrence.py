"""Recurring schedules in plain words: every day, every <weekday> or the first day of the month
at HH:MM, in the campaign's time zone, turned into the crontab that recurring campaigns store
(`schedule_plan["crontab"]`, then django-celery-beat's CrontabSchedule; docs/dispatch.md#firings),
and back. Any other crontab is the expert path: five cron fields, shown as they are.
"""

from __future__ import annotations

from datetime import time

from celery.schedules import crontab as celery_crontab
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

CRON_KEYS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
DAILY, WEEKLY, MONTHLY, CRON = "daily", "weekly", "monthly", "cron"


def cron_weekday(weekday: int) -> str:
    """Python's weekday (Monday 0) → cron's day_of_week (Sunday 0)."""
    return str((weekday + 1) % 7)


def crontab_from_plain(*, every: str, at: time, weekday: int | None = None) -> dict[str, str]:
    crontab = {
        "minute": str(at.minute),
        "hour": str(at.hour),
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "*",
    }
    if every == WEEKLY:
        if weekday is None or not 0 <= weekday <= 6:
            raise ValueError("a weekly schedule needs a weekday")
        crontab["day_of_week"] = cron_weekday(weekday)
    elif every == MONTHLY:
        crontab["day_of_month"] = "1"
    elif every != DAILY:
        raise ValueError(f"not a plain recurrence: {every!r}")
    return crontab


def crontab_from_expression(expression: str) -> dict[str, str]:
    """ "0 10 * * 1" → the crontab dict; ValueError when it is not five valid cron fields."""
    parts = expression.split()
    if len(parts) != 5:
        raise ValueError(_("A cron expression has five fields."))
    crontab = dict(zip(CRON_KEYS, parts, strict=True))
    if any(len(part) > 64 for part in parts):  # CrontabSchedule's columns are short
        raise ValueError(_("Not a valid cron expression."))
    try:
        celery_crontab(**crontab)
    except (ValueError, TypeError, IndexError) as error:
        raise ValueError(_("Not a valid cron expression.")) from error
    return crontab


def crontab_to_plain(crontab: dict[str, str]) -> tuple[str, time | None, int | None]:
    """(every, at, weekday) for a crontab the plain options can show, else (CRON, None, None)."""
    minute, hour = crontab.get("minute", ""), crontab.get("hour", "")
    if not (minute.isdigit() and hour.isdigit()) or crontab.get("month_of_year", "*") != "*":
        return CRON, None, None
    if int(minute) > 59 or int(hour) > 23:
        return CRON, None, None
    at = time(int(hour), int(minute))
    day, weekday = crontab.get("day_of_month", "*"), crontab.get("day_of_week", "*")
    if day == "*" and weekday == "*":
        return DAILY, at, None
    if day == "*" and weekday.isdigit() and int(weekday) <= 7:
        return WEEKLY, at, (int(weekday) - 1) % 7
    if day == "1" and weekday == "*":
        return MONTHLY, at, None
    return CRON, None, None


def crontab_describe(crontab: dict[str, str]) -> str:
    """The schedule in the viewer's language: "every Monday at 10:00", or the cron fields."""
    every, at, weekday = crontab_to_plain(crontab)
    if at is not None:
        clock = at.strftime("%H:%M")
        if every == DAILY:
            return _("every day at %(time)s") % {"time": clock}
        if every == WEEKLY and weekday is not None:
            return _("every %(weekday)s at %(time)s") % {
                "weekday": WEEKDAYS[weekday],
                "time": clock,
            }
        if every == MONTHLY:
            return _("on the first day of each month at %(time)s") % {"time": clock}
    expression = " ".join(str(crontab.get(key, "*")) for key in CRON_KEYS)
    return _("cron “%(expression)s”") % {"expression": expression}
