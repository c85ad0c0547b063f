"""Significance of A/B results, with the standard library only.

The figures match scipy.stats on the same counts (tests/campaigns/test_policy_significance.py):
Wilson 95% intervals per variant (scipy's `binomtest(...).proportion_ci(method="wilson")`),
the pooled two-proportion z-test for two variants (equal to `chi2_contingency(...,
correction=False)`), the chi-square test of independence for more. (The effect against
the holdout is outcomes/estimator.py's.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval:
    """The Wilson score interval of a proportion (no continuity correction)."""
    if trials == 0:
        return Interval(0.0, 1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def normal_sf(x: float) -> float:
    """P(Z > x) for a standard normal Z."""
    return 0.5 * math.erfc(x / math.sqrt(2))


def chi2_sf(x: float, dof: int) -> float:
    """P(X > x) for chi-square with an integer number of degrees of freedom (closed forms)."""
    if x <= 0:
        return 1.0
    half = x / 2
    if dof % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, dof // 2):
            term *= half / i
            total += term
        return math.exp(-half) * total
    total = math.erfc(math.sqrt(half))
    if dof > 1:
        term = math.sqrt(x) * math.exp(-half) / math.sqrt(math.pi / 2)
        total += term
        for i in range(3, dof, 2):
            term *= x / i
            total += term
    return total


@dataclass(frozen=True)
class Comparison:
    test: str  # "z" (two variants) or "chi2"
    statistic: float
    dof: int
    p_value: float


def two_proportion_z(s1: int, n1: int, s2: int, n2: int) -> Comparison:
    """Pooled two-proportion z-test, two-sided."""
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (s1 / n1 - s2 / n2) / se if se else 0.0
    return Comparison("z", z, 1, 2 * normal_sf(abs(z)))


def chi_square(counts: list[tuple[int, int]]) -> Comparison:
    """Chi-square test of independence on (successes, trials) per variant."""
    successes = sum(s for s, _n in counts)
    trials = sum(n for _s, n in counts)
    rate = successes / trials
    statistic = 0.0
    for s, n in counts:
        for observed, expected in ((s, n * rate), (n - s, n * (1 - rate))):
            if expected:
                statistic += (observed - expected) ** 2 / expected
    dof = len(counts) - 1
    return Comparison("chi2", statistic, dof, chi2_sf(statistic, dof))


def proportions_compare(counts: list[tuple[int, int]]) -> Comparison | None:
    """The z-test for two variants, chi-square for more; None when it cannot be computed."""
    if len(counts) < 2 or any(n == 0 for _s, n in counts):
        return None
    successes = sum(s for s, _n in counts)
    if successes == 0 or successes == sum(n for _s, n in counts):
        return None
    if len(counts) == 2:
        (s1, n1), (s2, n2) = counts
        return two_proportion_z(s1, n1, s2, n2)
    return chi_square(counts)


def sample_too_small(counts: list[tuple[int, int]], *, minimum: int) -> bool:
    """Too few sends per variant, or fewer than 5 expected successes or failures in a cell
    (where the normal and chi-square approximations stop holding)."""
    if len(counts) < 2:
        return True
    trials = sum(n for _s, n in counts)
    if trials == 0:
        return True
    rate = sum(s for s, _n in counts) / trials
    return any(n < minimum or n * rate < 5 or n * (1 - rate) < 5 for _s, n in counts)


@dataclass(frozen=True)
class Uplift:
    difference: float  # mean of the sent group minus mean of the holdout
    interval: Interval
    statistic: float  # Welch's t
    p_value: float  # normal approximation
    sent: int
    holdout: int


def uplift_welch(
    *,
    mean_sent: float,
    var_sent: float,
    n_sent: int,
    mean_holdout: float,
    var_holdout: float,
    n_holdout: int,
) -> Uplift | None:
    """Difference of means with Welch's standard error and a normal 95% interval."""
    if n_sent < 2 or n_holdout < 2:
        return None
    se = math.sqrt(var_sent / n_sent + var_holdout / n_holdout)
    difference = mean_sent - mean_holdout
    statistic = difference / se if se else 0.0
    return Uplift(
        difference=difference,
        interval=Interval(difference - Z_95 * se, difference + Z_95 * se),
        statistic=statistic,
        p_value=2 * normal_sf(abs(statistic)) if se else 1.0,
        sent=n_sent,
        holdout=n_holdout,
    )
