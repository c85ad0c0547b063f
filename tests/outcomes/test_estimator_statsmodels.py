"""The outcome's estimates equal statsmodels' on synthetic data with a planted effect, to 4
decimal places: DiD as OLS `value ~ sent * post` on the stacked panel with SEs clustered by
creator, CUPED as OLS `y − θ(x − x̄) ~ sent` with HC1 SEs, θ the OLS slope of post on pre."""

import numpy as np
import statsmodels.api as sm

from outcomes.estimator import ArmSums, Effect, outcome_estimate
from tests.outcomes.synthetic import creators_simulate

PLANTED = 150.0


def _sums(sent: np.ndarray, pre: np.ndarray, post: np.ndarray) -> tuple[ArmSums, ArmSums]:
    treated, held = sent == 1, sent == 0
    return (
        ArmSums.of(pre[treated].tolist(), post[treated].tolist()),
        ArmSums.of(pre[held].tolist(), post[held].tolist()),
    )


def _same(ours: Effect, fit, index: int) -> None:
    low, high = fit.conf_int(alpha=0.05)[index]
    theirs = (fit.params[index], fit.bse[index], low, high, fit.pvalues[index])
    mine = (ours.estimate, ours.se, ours.low, ours.high, ours.p_value)
    assert [round(value, 4) for value in mine] == [round(float(value), 4) for value in theirs]


def test_did_matches_statsmodels_ols_with_interaction_clustered_by_creator():
    sent, pre, post = creators_simulate(seed=11, effect=PLANTED)
    n = sent.size
    # The stacked panel: one row per creator and period.
    value = np.concatenate([pre, post])
    treated = np.concatenate([sent, sent])
    after = np.concatenate([np.zeros(n), np.ones(n)])
    design = sm.add_constant(np.column_stack([treated, after, treated * after]))
    creator = np.concatenate([np.arange(n), np.arange(n)])
    fit = sm.OLS(value, design).fit(cov_type="cluster", cov_kwds={"groups": creator})

    treated_sums, holdout_sums = _sums(sent, pre, post)

    estimate = outcome_estimate(sent=treated_sums, holdout=holdout_sums)

    assert estimate is not None
    _same(estimate.did, fit, 3)
    assert estimate.did.low <= PLANTED <= estimate.did.high


def test_cuped_matches_statsmodels_hc1_on_the_adjusted_metric():
    sent, pre, post = creators_simulate(seed=12, effect=PLANTED)
    theta = sm.OLS(post, sm.add_constant(pre)).fit().params[1]
    adjusted = post - theta * (pre - pre.mean())
    fit = sm.OLS(adjusted, sm.add_constant(sent)).fit(cov_type="HC1")
    treated_sums, holdout_sums = _sums(sent, pre, post)

    estimate = outcome_estimate(sent=treated_sums, holdout=holdout_sums)

    assert estimate is not None
    assert round(estimate.theta, 4) == round(float(theta), 4)
    _same(estimate.cuped, fit, 1)
    assert estimate.cuped.low <= PLANTED <= estimate.cuped.high
    # The variance reduction CUPED is for: a narrower interval than plain DiD on the same data.
    assert estimate.cuped.se < estimate.did.se


def test_fewer_than_two_creators_a_side_gives_no_estimate():
    assert (
        outcome_estimate(sent=ArmSums.of([1.0], [2.0]), holdout=ArmSums.of([1, 2], [3, 4])) is None
    )
