"""The calendar flags overlapping audiences on the same day and sends in blackout dates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from campaigns.models import Campaign
from programs.calendar import calendar_build
from tests.support.factories import campaign_make, creators_make, program_make

MX = ZoneInfo("America/Mexico_City")


def _send_on(campaign: Campaign, day: int, hour: int = 10) -> Campaign:
    campaign.status = Campaign.Status.SCHEDULED
    campaign.send_at = datetime(2026, 11, day, hour, tzinfo=MX)
    campaign.save(update_fields=["status", "send_at"])
    return campaign


def test_two_campaigns_reaching_the_same_creators_on_one_day_collide(db):
    creators_make(10)  # levels 0..7, 0, 1
    high = _send_on(
        campaign_make(
            name="Niveles altos",
            channels=("inbox",),
            rules={"all": [{"field": "level", "op": "gte", "value": 5}]},
        ),
        12,
    )
    six_up = _send_on(
        campaign_make(
            name="Nivel 6+",
            channels=("inbox",),
            rules={"all": [{"field": "level", "op": "gte", "value": 6}]},
        ),
        12,
        18,
    )
    low = _send_on(
        campaign_make(
            name="Niveles bajos",
            channels=("inbox",),
            rules={"all": [{"field": "level", "op": "lte", "value": 2}]},
        ),
        12,
    )
    _send_on(campaign_make(name="Otro día", channels=("inbox",)), 13)

    calendar = calendar_build(view="month", anchor=date(2026, 11, 1))

    overlaps = [c for c in calendar.collisions if c.kind == "overlap"]
    assert [(c.day, c.campaign_ids, c.creators) for c in overlaps] == [
        (date(2026, 11, 12), (high.pk, six_up.pk), 2)
    ]
    cell = next(d for week in calendar.weeks for d in week if d.day == date(2026, 11, 12))
    assert {c.pk for c in cell.sends} == {high.pk, six_up.pk, low.pk}
    assert cell.collisions == overlaps

    # Filtering by kind leaves the announcements out, and with them the collision.
    assert calendar_build(view="week", anchor=date(2026, 11, 12), kind="education").collisions == []


def test_a_send_on_a_program_blackout_date_is_flagged(db):
    creators_make(3)
    program = program_make(name="Reto LIVE", blackout_dates=["2026-11-20"])
    send = _send_on(campaign_make(name="Promo", channels=("inbox",)), 20)

    calendar = calendar_build(view="week", anchor=date(2026, 11, 18))

    assert [(c.kind, c.campaign_ids) for c in calendar.collisions] == [("blackout", (send.pk,))]
    cell = next(d for week in calendar.weeks for d in week if d.day == date(2026, 11, 20))
    assert program in cell.programs
