"""The schedule step's recurring options: every day, every <weekday> or the first day of the
month at a time, in the campaign's time zone, stored as the crontab recurring campaigns use;
cron stays the expert path."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import translation

from campaigns.models import Campaign
from campaigns.recurrence import crontab_describe, crontab_to_plain
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.django_db

CRONTAB = {"minute": "0", "hour": "10", "day_of_month": "*", "month_of_year": "*"}


def _schedule(client, campaign: Campaign, data: dict[str, str]):
    return client.post(f"/campaigns/{campaign.pk}/schedule/", {"mode": "recurring", **data})


@pytest.mark.parametrize(
    ("data", "crontab"),
    [
        (
            {"recurring_every": "daily", "recurring_time": "07:45"},
            {**CRONTAB, "minute": "45", "hour": "7", "day_of_week": "*"},
        ),
        (
            {"recurring_every": "weekly", "recurring_weekday": "0", "recurring_time": "10:00"},
            {**CRONTAB, "day_of_week": "1"},  # Monday is cron's 1
        ),
        (
            {"recurring_every": "weekly", "recurring_weekday": "6", "recurring_time": "10:00"},
            {**CRONTAB, "day_of_week": "0"},  # Sunday is cron's 0
        ),
        (
            {"recurring_every": "monthly", "recurring_time": "10:00"},
            {**CRONTAB, "day_of_month": "1", "day_of_week": "*"},
        ),
        (
            {"recurring_every": "cron", "cron": "*/15 9-18 * * 1-5"},
            {
                "minute": "*/15",
                "hour": "9-18",
                "day_of_month": "*",
                "month_of_year": "*",
                "day_of_week": "1-5",
            },
        ),
    ],
)
def test_plain_options_are_stored_as_the_recurring_crontab(role_client, data, crontab):
    campaign = campaign_make(channels=("inbox",), locales=("es-MX",))

    response = _schedule(role_client("manager"), campaign, data)

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.schedule_plan == {"mode": "recurring", "crontab": crontab}


def test_every_monday_at_ten_is_shown_in_words_and_launches_on_the_crontab(role_client, settings):
    creators_make(2)
    campaign = campaign_make(channels=("inbox",), locales=("es-MX",))
    client = role_client("manager")
    _schedule(
        client,
        campaign,
        {"recurring_every": "weekly", "recurring_weekday": "0", "recurring_time": "10:00"},
    )

    review = client.get(f"/campaigns/{campaign.pk}/review/").content.decode()
    step = client.get(f"/campaigns/{campaign.pk}/schedule/").content.decode()
    client.post(f"/campaigns/{campaign.pk}/launch/")

    assert "every Monday at 10:00" in review and settings.TIME_ZONE in review
    assert '<option value="weekly" selected>' in step
    assert '<option value="0" selected>' in step
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    schedule = campaign.periodic_task.crontab
    assert (schedule.minute, schedule.hour, schedule.day_of_week) == ("0", "10", "1")
    assert str(schedule.timezone) == settings.TIME_ZONE


def test_descriptions_follow_the_viewers_language():
    crontab = {**CRONTAB, "day_of_week": "1"}
    with translation.override("en"):
        assert crontab_describe(crontab) == "every Monday at 10:00"
        assert crontab_describe({**CRONTAB, "day_of_week": "1-5"}).startswith("cron")
    assert crontab_to_plain({**CRONTAB, "day_of_month": "1", "day_of_week": "*"}) == (
        "monthly",
        time(10),
        None,
    )


@pytest.mark.parametrize(
    "data",
    [
        {"recurring_every": "weekly", "recurring_time": "10:00"},
        {"recurring_every": "weekly", "recurring_weekday": "9", "recurring_time": "10:00"},
        {"recurring_every": "daily", "recurring_time": ""},
        {"recurring_every": "daily", "recurring_time": "25:99"},
        {"recurring_every": "hourly", "recurring_time": "10:00"},
        {"recurring_every": "cron", "cron": "0 10"},
        {"recurring_every": "cron", "cron": "99 10 * * *"},
        {"recurring_every": "cron", "cron": "x y z w v"},
        {"recurring_every": "cron", "cron": "1" * 100 + " * * * *"},
    ],
)
def test_a_bad_recurring_schedule_is_a_400_and_keeps_the_plan(role_client, data):
    campaign = campaign_make(channels=("inbox",), locales=("es-MX",))

    response = _schedule(role_client("manager"), campaign, data)

    assert response.status_code == 400
    campaign.refresh_from_db()
    assert campaign.schedule_plan in ({}, None, {"mode": "now"})
