"""End to end through PostgreSQL: the outcome SQL and estimator give statsmodels' figures for
the same rows (windows per creator's send day, missing days as 0), finds the planted effect,
and fills the breakdowns and the daily chart."""

from datetime import date, timedelta

import numpy as np
import statsmodels.api as sm
from django.utils import timezone

from outcomes.selectors import campaign_outcome_compute
from tests.outcomes.conftest import PLANTED_PER_DAY, Measured

WINDOW = 14


def _window_total(measured: Measured, creator_id: int, first: date) -> float:
    days = (first + timedelta(days=i) for i in range(WINDOW))
    return sum(measured.values.get((creator_id, day), 0.0) for day in days)


def _totals(measured: Measured) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sent, pre, post = [], [], []
    for creator_id, day0 in measured.day0.items():
        sent.append(1.0 if measured.sent[creator_id] else 0.0)
        pre.append(_window_total(measured, creator_id, day0 - timedelta(days=WINDOW)))
        post.append(_window_total(measured, creator_id, day0))
    return np.array(sent), np.array(pre), np.array(post)


def test_outcome_from_the_database_matches_statsmodels_and_finds_the_planted_effect(measured):
    outcome = campaign_outcome_compute(campaign=measured.campaign, metric="gmv", window_days=WINDOW)

    sent, pre, post = _totals(measured)
    theta = sm.OLS(post, sm.add_constant(pre)).fit().params[1]
    cuped = sm.OLS(post - theta * (pre - pre.mean()), sm.add_constant(sent)).fit(cov_type="HC1")
    n = sent.size
    panel = sm.OLS(
        np.concatenate([pre, post]),
        sm.add_constant(
            np.column_stack(
                [
                    np.concatenate([sent, sent]),
                    np.repeat([0.0, 1.0], n),
                    np.concatenate([np.zeros(n), sent]),
                ]
            )
        ),
    ).fit(cov_type="cluster", cov_kwds={"groups": np.tile(np.arange(n), 2)})
    estimate = outcome.overall.estimate
    assert estimate is not None
    assert (estimate.sent, estimate.holdout) == (int(sent.sum()), int(n - sent.sum()))
    assert round(estimate.cuped.estimate, 4) == round(float(cuped.params[1]), 4)
    assert round(estimate.cuped.se, 4) == round(float(cuped.bse[1]), 4)
    assert round(estimate.did.estimate, 4) == round(float(panel.params[3]), 4)
    assert round(estimate.did.se, 4) == round(float(panel.bse[3]), 4)
    planted = PLANTED_PER_DAY * WINDOW
    assert estimate.cuped.low <= planted <= estimate.cuped.high
    assert estimate.cuped.p_value < 0.05


def test_breakdowns_split_the_same_creators(measured, settings):
    settings.OUTCOME_MIN_CREATORS = 30
    outcome = campaign_outcome_compute(campaign=measured.campaign, metric="gmv", window_days=WINDOW)

    overall = outcome.overall
    for name in ("channel", "locale", "level"):
        groups = outcome.breakdowns[name]
        assert sum(group.sent for group in groups) == overall.sent, name
        assert sum(group.holdout for group in groups) == overall.holdout, name
    # The language of the message sent (this campaign has Spanish messages only).
    assert {group.key for group in outcome.breakdowns["locale"]} == {"es-MX"}
    variants = outcome.breakdowns["variant"]
    assert {group.key for group in variants} == {"A", "B"}
    assert all(group.holdout == overall.holdout for group in variants)
    assert sum(group.sent for group in variants) == overall.sent
    # Levels have about 20 sent creators each: too small to say anything.
    assert all(group.too_small for group in outcome.breakdowns["level"])
    assert not overall.too_small


def test_daily_chart_is_the_mean_per_creator_by_day_from_the_send(measured):
    outcome = campaign_outcome_compute(campaign=measured.campaign, metric="gmv", window_days=WINDOW)

    assert [day.day for day in outcome.daily] == list(range(-WINDOW, WINDOW))
    sent_ids = [creator for creator, sent in measured.sent.items() if sent]
    day0 = outcome.daily[WINDOW]  # the send day
    expected = sum(
        measured.values.get((creator, measured.day0[creator]), 0.0) for creator in sent_ids
    ) / len(sent_ids)
    assert round(day0.sent, 4) == round(expected, 4)
    assert outcome.last_send_day == max(measured.day0.values())
    # Sent 20 days ago (a tenth 19): the last post window ended 6 days ago.
    assert outcome.post_window_ends == timezone.localdate() - timedelta(days=6)
    assert outcome.window_complete
