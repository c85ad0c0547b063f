"""The 95% interval holds the planted effect in at least 93 of 100 seeded simulations, through
the same estimator the SQL path feeds (sums per arm)."""

from outcomes.estimator import ArmSums, outcome_estimate
from tests.outcomes.synthetic import creators_simulate

PLANTED = 150.0


def _covered(seed: int) -> tuple[bool, bool]:
    sent, pre, post = creators_simulate(seed=seed, n=1_500, effect=PLANTED)
    treated, held = sent == 1, sent == 0
    estimate = outcome_estimate(
        sent=ArmSums.of(pre[treated].tolist(), post[treated].tolist()),
        holdout=ArmSums.of(pre[held].tolist(), post[held].tolist()),
    )
    assert estimate is not None
    return (
        estimate.cuped.low <= PLANTED <= estimate.cuped.high,
        estimate.did.low <= PLANTED <= estimate.did.high,
    )


def test_planted_effect_lies_inside_the_interval_in_93_of_100_simulations():
    results = [_covered(seed) for seed in range(100)]
    cuped = sum(hit for hit, _did in results)
    did = sum(hit for _cuped, hit in results)
    assert cuped >= 93, cuped
    assert did >= 93, did
