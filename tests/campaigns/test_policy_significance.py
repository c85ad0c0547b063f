"""The A/B figures equal scipy.stats' on the same counts, to 4 decimal places."""

import numpy as np
import pytest
from scipy import stats

from tracking import significance

TWO = [
    [(120, 1000), (150, 1000)],
    [(33, 410), (21, 395)],
    [(5, 90), (18, 110)],
    [(480, 5200), (402, 5100)],
]
MORE = [
    [(120, 1000), (150, 1000), (131, 980)],
    [(10, 200), (14, 210), (30, 190), (22, 205)],
    [(300, 2000), (330, 2100), (290, 1950), (351, 2050), (310, 1990)],
]


@pytest.mark.parametrize("counts", TWO)
def test_two_variants_match_the_z_test(counts):
    ours = significance.proportions_compare(counts)
    table = [[s, n - s] for s, n in counts]
    chi2, p, dof, _expected = stats.chi2_contingency(table, correction=False)
    (s1, n1), (s2, n2) = counts
    pooled = (s1 + s2) / (n1 + n2)
    z = (s1 / n1 - s2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert ours.test == "z"
    assert round(ours.statistic, 4) == round(z, 4)
    assert round(ours.statistic**2, 4) == round(chi2, 4)
    assert round(ours.p_value, 4) == round(p, 4) == round(2 * stats.norm.sf(abs(z)), 4)


@pytest.mark.parametrize("counts", MORE)
def test_more_variants_match_the_chi_square_test(counts):
    ours = significance.proportions_compare(counts)
    chi2, p, dof, _expected = stats.chi2_contingency([[s, n - s] for s, n in counts])
    assert (ours.test, ours.dof) == ("chi2", dof)
    assert round(ours.statistic, 4) == round(chi2, 4)
    assert round(ours.p_value, 4) == round(p, 4)


@pytest.mark.parametrize("x", [0.1, 1.0, 3.84, 7.5, 12.0, 30.0])
@pytest.mark.parametrize("dof", [1, 2, 3, 4, 5, 6, 9])
def test_chi2_tail_matches(x, dof):
    assert round(significance.chi2_sf(x, dof), 10) == round(stats.chi2.sf(x, dof), 10)


@pytest.mark.parametrize(("successes", "trials"), [(0, 50), (7, 50), (120, 1000), (999, 1000)])
def test_wilson_interval_matches(successes, trials):
    ours = significance.wilson_interval(successes, trials)
    theirs = stats.binomtest(successes, trials).proportion_ci(method="wilson")
    assert (round(ours.low, 4), round(ours.high, 4)) == (
        round(theirs.low, 4),
        round(theirs.high, 4),
    )


def test_small_samples_are_flagged():
    assert significance.sample_too_small([(3, 40), (5, 38)], minimum=100)
    assert significance.sample_too_small([(1, 500), (2, 500)], minimum=100)  # < 5 expected
    assert not significance.sample_too_small([(60, 500), (80, 500)], minimum=100)
