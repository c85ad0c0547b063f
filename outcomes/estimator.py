"""The campaign outcome's arithmetic: difference in differences and CUPED from per-arm sums.

Each creator contributes its metric summed over the pre window (`x`) and over the post window
(`y`). The SQL (outcomes/selectors.py) reduces a group of creators to six sums (`ArmSums`);
everything here works from those sums, so the same functions serve the database path and the
pure-numpy simulations of the tests. docs/outcomes.md explains the method:

- DiD: `(ȳ₁ − x̄₁) − (ȳ₀ − x̄₀)`, the interaction of OLS `value ~ sent * post` on the stacked
  pre/post panel, standard error clustered by creator (CR1: the G/(G−1)·(N−1)/(N−K) factor,
  G creators, N = 2G rows, K = 4), as statsmodels' `cov_type="cluster"` computes it;
- CUPED: `y − θ(x − x̄)` with θ the pooled OLS slope of `y` on `x`, then the difference of
  the adjusted means between arms with an HC1 standard error (statsmodels' `cov_type="HC1"`
  on `y_cuped ~ sent`). This is the headline figure: DiD is CUPED with θ = 1.

Both intervals are normal (z) 95% intervals with two-sided normal p-values, as statsmodels
gives them for robust covariances.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tracking.significance import Z_95, normal_sf


@dataclass(frozen=True)
class ArmSums:
    """n creators and the sums of x (pre), y (post), x², y² and x·y over them."""

    n: int = 0
    sx: float = 0.0
    sy: float = 0.0
    sxx: float = 0.0
    syy: float = 0.0
    sxy: float = 0.0

    @classmethod
    def of(cls, pre: Sequence[float], post: Sequence[float]) -> ArmSums:
        return cls(
            n=len(pre),
            sx=math.fsum(pre),
            sy=math.fsum(post),
            sxx=math.fsum(v * v for v in pre),
            syy=math.fsum(v * v for v in post),
            sxy=math.fsum(a * b for a, b in zip(pre, post, strict=True)),
        )

    def __add__(self, other: ArmSums) -> ArmSums:
        return ArmSums(
            n=self.n + other.n,
            sx=self.sx + other.sx,
            sy=self.sy + other.sy,
            sxx=self.sxx + other.sxx,
            syy=self.syy + other.syy,
            sxy=self.sxy + other.sxy,
        )

    # Centred (within this group) sums of squares and cross-products.
    @property
    def cxx(self) -> float:
        return max(self.sxx - self.sx * self.sx / self.n, 0.0) if self.n else 0.0

    @property
    def cyy(self) -> float:
        return max(self.syy - self.sy * self.sy / self.n, 0.0) if self.n else 0.0

    @property
    def cxy(self) -> float:
        return self.sxy - self.sx * self.sy / self.n if self.n else 0.0

    def mean_x(self) -> float:
        return self.sx / self.n if self.n else 0.0

    def mean_y(self) -> float:
        return self.sy / self.n if self.n else 0.0


@dataclass(frozen=True)
class Effect:
    """One estimate of the effect of being sent, per creator, with its normal 95% interval."""

    estimate: float
    se: float
    low: float
    high: float
    p_value: float

    @classmethod
    def normal(cls, estimate: float, variance: float) -> Effect:
        se = math.sqrt(max(variance, 0.0))
        p_value = 2 * normal_sf(abs(estimate) / se) if se > 0 else 1.0
        return cls(estimate, se, estimate - Z_95 * se, estimate + Z_95 * se, p_value)


@dataclass(frozen=True)
class Estimate:
    sent: int
    holdout: int
    theta: float  # the CUPED coefficient
    did: Effect  # plain difference in differences
    cuped: Effect  # the headline: CUPED-adjusted difference
    mean_pre_sent: float
    mean_post_sent: float
    mean_pre_holdout: float
    mean_post_holdout: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _spread(arm: ArmSums, *, theta: float) -> float:
    """Σ over the arm of (y − θx − mean)², i.e. the within-arm sum of squares of y − θx."""
    return max(arm.cyy - 2 * theta * arm.cxy + theta * theta * arm.cxx, 0.0)


def did_effect(*, sent: ArmSums, holdout: ArmSums) -> Effect:
    """The interaction of `value ~ sent * post` on the stacked panel, SE clustered by creator."""
    estimate = (sent.mean_y() - sent.mean_x()) - (holdout.mean_y() - holdout.mean_x())
    groups = sent.n + holdout.n
    rows = 2 * groups
    correction = groups / (groups - 1) * (rows - 1) / (rows - 4)
    variance = correction * (
        _spread(sent, theta=1.0) / sent.n**2 + _spread(holdout, theta=1.0) / holdout.n**2
    )
    return Effect.normal(estimate, variance)


def cuped_theta(*, sent: ArmSums, holdout: ArmSums) -> float:
    """The pooled OLS slope of post on pre over both arms (0 when the pre window is flat)."""
    pooled = sent + holdout
    return pooled.cxy / pooled.cxx if pooled.cxx > 0 else 0.0


def cuped_effect(*, sent: ArmSums, holdout: ArmSums, theta: float) -> Effect:
    """Difference of the arms' means of y − θ(x − x̄), HC1 standard error."""
    estimate = (sent.mean_y() - holdout.mean_y()) - theta * (sent.mean_x() - holdout.mean_x())
    n = sent.n + holdout.n
    variance = (
        n
        / (n - 2)
        * (_spread(sent, theta=theta) / sent.n**2 + _spread(holdout, theta=theta) / holdout.n**2)
    )
    return Effect.normal(estimate, variance)


def outcome_estimate(*, sent: ArmSums, holdout: ArmSums) -> Estimate | None:
    """Both estimates for one group of creators; None when an arm has fewer than 2 creators."""
    if sent.n < 2 or holdout.n < 2:
        return None
    theta = cuped_theta(sent=sent, holdout=holdout)
    return Estimate(
        sent=sent.n,
        holdout=holdout.n,
        theta=theta,
        did=did_effect(sent=sent, holdout=holdout),
        cuped=cuped_effect(sent=sent, holdout=holdout, theta=theta),
        mean_pre_sent=sent.mean_x(),
        mean_post_sent=sent.mean_y(),
        mean_pre_holdout=holdout.mean_x(),
        mean_post_holdout=holdout.mean_y(),
    )
