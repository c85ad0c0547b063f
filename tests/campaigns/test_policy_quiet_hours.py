"""Quiet hours and local send times: `not_before` computed in SQL at fan-out, per creator zone,
with a frozen clock passed as `now`; the dispatcher never claims a delivery early."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns import dispatch, fanout
from campaigns.models import Delivery
from creators.models import Creator
from tests.support.factories import campaign_make, creators_make

MEXICO_CITY = ZoneInfo("America/Mexico_City")
ZONES = ("America/Mexico_City", "America/Tijuana", "America/Cancun", "America/Hermosillo")


def _creators_in_zones() -> dict[str, int]:
    creators = creators_make(len(ZONES))
    for creator, zone in zip(creators, ZONES, strict=True):
        Creator.objects.filter(pk=creator.pk).update(timezone=zone)
    return {zone: creator.pk for creator, zone in zip(creators, ZONES, strict=True)}


def _not_before(campaign, creator_id: int) -> datetime | None:
    return Delivery.objects.get(campaign=campaign, creator_id=creator_id).not_before


@pytest.mark.parametrize(
    ("launch_local", "expected_utc"),
    [
        # November: Tijuana is on PST (UTC-8); Mexico City UTC-6, Hermosillo UTC-7, Cancún UTC-5.
        (
            datetime(2026, 11, 20, 20, 30, tzinfo=MEXICO_CITY),
            {
                "America/Mexico_City": None,  # 20:30 local: before 21:00, goes now
                "America/Tijuana": None,  # 18:30 local
                "America/Cancun": datetime(2026, 11, 21, 14, 0, tzinfo=UTC),  # 21:30 → 09:00
                "America/Hermosillo": None,  # 19:30 local
            },
        ),
        # July: Tijuana is on PDT (UTC-7), the others do not change (no DST since 2022).
        (
            datetime(2026, 7, 10, 20, 30, tzinfo=MEXICO_CITY),
            {
                "America/Mexico_City": None,
                "America/Tijuana": None,  # 19:30 local
                "America/Cancun": datetime(2026, 7, 11, 14, 0, tzinfo=UTC),
                "America/Hermosillo": None,
            },
        ),
        # 21:30 in Mexico City: Mexico City and Cancún wait for their own 09:00.
        (
            datetime(2026, 11, 20, 21, 30, tzinfo=MEXICO_CITY),
            {
                "America/Mexico_City": datetime(2026, 11, 21, 15, 0, tzinfo=UTC),
                "America/Tijuana": None,  # 19:30
                "America/Cancun": datetime(2026, 11, 21, 14, 0, tzinfo=UTC),
                "America/Hermosillo": None,  # 20:30
            },
        ),
    ],
)
def test_quiet_hours_hold_each_zone_until_its_own_morning(db, settings, launch_local, expected_utc):
    settings.QUIET_HOURS = "21:00-09:00"
    ids = _creators_in_zones()
    campaign = campaign_make(channels=("inbox",))
    now = launch_local.astimezone(UTC)

    fanout.deliveries_create(campaign=campaign, run=1, now=now)

    assert {zone: _not_before(campaign, ids[zone]) for zone in ZONES} == expected_utc


def test_workers_never_claim_before_not_before(db, settings):
    settings.QUIET_HOURS = "21:00-09:00"
    ids = _creators_in_zones()
    campaign = campaign_make(channels=("inbox",))
    launch = datetime(2026, 11, 20, 20, 30, tzinfo=MEXICO_CITY).astimezone(UTC)
    fanout.deliveries_create(campaign=campaign, run=1, now=launch)
    cancun_opens = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)

    first = dispatch.deliveries_claim(campaign_id=campaign.pk, run=1, limit=100, now=launch)
    early = dispatch.deliveries_claim(
        campaign_id=campaign.pk, run=1, limit=100, now=cancun_opens - timedelta(seconds=1)
    )
    due = dispatch.deliveries_claim(campaign_id=campaign.pk, run=1, limit=100, now=cancun_opens)

    assert {row.creator_id for row in first} == {
        ids["America/Mexico_City"],
        ids["America/Tijuana"],
        ids["America/Hermosillo"],
    }
    assert early == []
    assert [row.creator_id for row in due] == [ids["America/Cancun"]]


def test_campaign_and_creator_quiet_hours_override_the_setting(db, settings):
    settings.QUIET_HOURS = "21:00-09:00"
    ids = _creators_in_zones()
    # The creator in Tijuana asked for no messages 18:00-10:00 (in the preference center).
    Creator.objects.filter(pk=ids["America/Tijuana"]).update(
        quiet_hours_start=time(18, 0), quiet_hours_end=time(10, 0)
    )
    campaign = campaign_make(channels=("inbox",))
    # The campaign itself only keeps 22:00-08:00.
    campaign.quiet_hours_start, campaign.quiet_hours_end = time(22, 0), time(8, 0)
    campaign.save()
    now = datetime(2026, 11, 20, 21, 30, tzinfo=MEXICO_CITY).astimezone(UTC)

    fanout.deliveries_create(campaign=campaign, run=1, now=now)

    assert _not_before(campaign, ids["America/Mexico_City"]) is None  # 21:30 < 22:00
    assert _not_before(campaign, ids["America/Cancun"]) == datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    assert _not_before(campaign, ids["America/Tijuana"]) == datetime(
        2026, 11, 21, 18, 0, tzinfo=UTC
    )


def test_send_at_local_time_reaches_every_zone_at_ten(db, settings):
    settings.QUIET_HOURS = "21:00-09:00"
    ids = _creators_in_zones()
    campaign = campaign_make(channels=("inbox",))
    campaign.send_local_time = time(10, 0)
    campaign.save()
    # 09:30 in Mexico City = 10:30 in Cancún (already past: tomorrow), 07:30 in Tijuana.
    now = datetime(2026, 11, 20, 9, 30, tzinfo=MEXICO_CITY).astimezone(UTC)

    fanout.deliveries_create(campaign=campaign, run=1, now=now)

    local = {
        zone: _not_before(campaign, ids[zone]).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        for zone in ZONES
    }
    assert local == {
        "America/Mexico_City": datetime(2026, 11, 20, 10, 0),
        "America/Tijuana": datetime(2026, 11, 20, 10, 0),
        "America/Cancun": datetime(2026, 11, 21, 10, 0),
        "America/Hermosillo": datetime(2026, 11, 20, 10, 0),
    }
