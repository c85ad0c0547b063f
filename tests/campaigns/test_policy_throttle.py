"""Throttling: a campaign spreads its sends evenly over a period, set as `not_before` in SQL."""

from datetime import UTC, datetime, timedelta

from campaigns import dispatch, fanout
from campaigns.models import Delivery
from tests.support.factories import campaign_make, creators_make

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def test_sends_are_spread_evenly_over_the_period(db):
    creators_make(1_000, devices=False)
    campaign = campaign_make(channels=("inbox",))
    campaign.spread_seconds = 2 * 3600
    campaign.save()

    fanout.deliveries_create(campaign=campaign, run=1, now=NOW)

    times = list(Delivery.objects.order_by("creator_id").values_list("not_before", flat=True))
    assert times[0] == NOW
    assert times[-1] == NOW + timedelta(seconds=7200 * 999 / 1000)
    gaps = {
        round((later - earlier).total_seconds(), 3)
        for earlier, later in zip(times, times[1:], strict=False)
    }
    assert gaps == {7.2}
    # Half-way through, half of them are due, and the dispatcher claims no more than that.
    halfway = dispatch.deliveries_claim(
        campaign_id=campaign.pk, run=1, limit=10_000, now=NOW + timedelta(hours=1)
    )
    assert len(halfway) == 501  # rows 0 … 500, the last due exactly at the hour


def test_spread_and_quiet_hours_together(db, settings):
    """A spread that runs into quiet hours waits for them to end."""
    settings.QUIET_HOURS = "21:00-09:00"
    creators_make(10, devices=False)
    campaign = campaign_make(channels=("inbox",))
    campaign.spread_seconds = 3600
    campaign.save()
    launch = datetime(2026, 11, 21, 2, 30, tzinfo=UTC)  # 20:30 in Mexico City

    fanout.deliveries_create(campaign=campaign, run=1, now=launch)

    times = list(Delivery.objects.order_by("creator_id").values_list("not_before", flat=True))
    morning = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)  # 09:00 in Mexico City
    assert times[:5] == [launch + timedelta(minutes=6 * i) for i in range(5)]
    assert times[5:] == [morning] * 5
