"""The program-wide holdout's effect page: per month and cumulative, the difference of
means (rest minus holdout) with Welch's interval, recomputed here independently."""

import math
import statistics
from datetime import date, timedelta

from creators.holdout import program_holdout_bucket
from programs.holdout_effect import program_holdout_effect_get
from programs.models import CreatorMetric
from tests.support.factories import creators_make

TODAY = date(2026, 11, 20)


def _welch(rest: list[float], hold: list[float]) -> tuple[float, float, float]:
    difference = statistics.fmean(rest) - statistics.fmean(hold)
    se = math.sqrt(statistics.variance(rest) / len(rest) + statistics.variance(hold) / len(hold))
    return difference, difference - 1.959963984540054 * se, difference + 1.959963984540054 * se


def test_monthly_and_cumulative_effect_match_an_independent_computation(db, settings):
    settings.PROGRAM_HOLDOUT_PERCENT = 20
    settings.PROGRAM_HOLDOUT_SINCE = "2026-10-01"
    creators = creators_make(500)
    held = {c.pk for c in creators if program_holdout_bucket(c.pk) < 0.2}
    rows, totals = [], {}
    for index, creator in enumerate(creators):
        for month, day in ((10, date(2026, 10, 7)), (11, date(2026, 11, 3))):
            if index % 7 == 0:
                continue  # sold nothing that month: counts as 0
            value = 100 + (index * 37 % 90) + (0 if creator.pk in held else 40)
            rows.append(CreatorMetric(creator=creator, date=day, metric="gmv", value=value))
            rows.append(
                CreatorMetric(creator=creator, date=day + timedelta(days=1), metric="gmv", value=5)
            )
            totals[(creator.pk, month)] = value + 5
    CreatorMetric.objects.bulk_create(rows)

    effect = program_holdout_effect_get(metric="gmv", today=TODAY)

    assert effect is not None and (effect.holdout, effect.rest) == (len(held), 500 - len(held))
    assert [row.month for row in effect.months] == [date(2026, 10, 1), date(2026, 11, 1)]
    for row, months in zip(effect.months, ((10,), (10, 11)), strict=True):

        def per_creator(pks, months=months):
            return [sum(totals.get((pk, m), 0) for m in months) for pk in pks]

        rest = per_creator([c.pk for c in creators if c.pk not in held])
        hold = per_creator(sorted(held))
        difference, low, high = _welch(rest, hold)
        assert math.isclose(row.cumulative.difference, difference, rel_tol=1e-9)
        assert math.isclose(row.cumulative.interval.low, low, rel_tol=1e-9)
        assert math.isclose(row.cumulative.interval.high, high, rel_tol=1e-9)
        assert row.significant
    # The planted +40 per month (on the 6 creators in 7 who sold) lies inside the intervals.
    planted = 40 * 6 / 7
    for row, months in zip(effect.months, (1, 2), strict=True):
        assert row.monthly.interval.low < planted < row.monthly.interval.high
        assert row.cumulative.interval.low < planted * months < row.cumulative.interval.high


def test_the_page_says_when_the_holdout_is_off_or_too_small(db, role_client, settings):
    analyst = role_client("analyst")
    settings.PROGRAM_HOLDOUT_PERCENT = 0
    assert "holdout is off" in analyst.get("/programs/holdout/").content.decode()
    settings.PROGRAM_HOLDOUT_PERCENT = 5
    creators_make(40)
    page = analyst.get("/programs/holdout/?metric=nonsense")
    assert page.status_code == 200
    assert "Too few creators in the holdout" in page.content.decode()
    assert analyst.get("/programs/holdout/?metric=videos_posted").status_code == 200
