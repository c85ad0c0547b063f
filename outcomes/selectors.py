"""A campaign's outcome: the effect of being sent on a creator metric, against the holdout
(docs/outcomes.md). Computed by one SQL statement (outcomes/queries.py) and the arithmetic of
outcomes/estimator.py, then cached: the stats page and the API read the cached figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from campaigns.models import Campaign, Delivery
from outcomes.estimator import ArmSums, Estimate, outcome_estimate
from outcomes.exceptions import OutcomeMetricUnknown, OutcomeWindowInvalid
from outcomes.queries import BREAKDOWNS, OUTCOME_SQL
from programs.models import Metric

CACHE_VERSION = 1


@dataclass(frozen=True)
class GroupOutcome:
    """The estimate for one group of creators (all of them, or one channel, language…)."""

    key: str
    sent: int
    holdout: int
    estimate: Estimate | None
    too_small: bool


@dataclass(frozen=True)
class DayMeans:
    day: int  # days after the send day (negative: the pre window)
    sent: float
    holdout: float


@dataclass(frozen=True)
class Outcome:
    campaign_id: int
    metric: str
    window_days: int
    has_holdout: bool
    min_creators: int
    overall: GroupOutcome
    breakdowns: dict[str, list[GroupOutcome]] = field(default_factory=dict)
    daily: list[DayMeans] = field(default_factory=list)
    last_send_day: date | None = None
    computed_at: datetime | None = None

    @property
    def post_window_ends(self) -> date | None:
        if self.last_send_day is None:
            return None
        return self.last_send_day + timedelta(days=self.window_days - 1)

    @property
    def window_complete(self) -> bool:
        """Every creator's post window is over (today is after its last day)."""
        ends = self.post_window_ends
        return ends is not None and ends < timezone.localdate()


def outcome_arguments_check(*, metric: str, window_days: int) -> None:
    if metric not in Metric.values:
        raise OutcomeMetricUnknown(metric, list(Metric.values))
    if not 1 <= window_days <= settings.OUTCOME_MAX_WINDOW_DAYS:
        raise OutcomeWindowInvalid(settings.OUTCOME_MAX_WINDOW_DAYS)


def _group(key: str, sent: ArmSums, holdout: ArmSums) -> GroupOutcome:
    estimate = outcome_estimate(sent=sent, holdout=holdout)
    minimum = settings.OUTCOME_MIN_CREATORS
    too_small = estimate is None or min(sent.n, holdout.n) < minimum or not estimate.cuped.se > 0
    return GroupOutcome(key, sent.n, holdout.n, estimate, too_small)


def outcome_session_tune(cursor: CursorWrapper) -> None:
    """For this transaction only: no JIT (compiling the statement's expressions costs seconds,
    more than it saves on one pass) and room to hash 200,000 creators in memory rather than
    sort them on disk (settings.OUTCOME_WORK_MEM)."""
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.OUTCOME_WORK_MEM])


def campaign_outcome_compute(*, campaign: Campaign, metric: str, window_days: int) -> Outcome:
    """Run the outcome's SQL now (seconds on a large campaign) and estimate every group."""
    outcome_arguments_check(metric=metric, window_days=window_days)
    arms: dict[tuple[str, str, bool], ArmSums] = {}
    days: dict[int, dict[bool, float]] = {}
    last_send_day: date | None = None
    held_out = campaign.holdout_percent or (
        Delivery.objects.filter(campaign=campaign, status=Delivery.Status.HOLDOUT).exists()
    )
    if not held_out:  # nothing to compare with: no need to read the metrics
        return _outcome(campaign, metric, window_days, arms={}, days={}, last_send_day=None)
    with transaction.atomic(), connection.cursor() as cursor:
        outcome_session_tune(cursor)
        cursor.execute(
            OUTCOME_SQL,
            {
                "campaign": campaign.pk,
                "metric": metric,
                "window": window_days,
                "tz": settings.TIME_ZONE,
            },
        )
        for kind, sent, breakdown, key, n, sx, sy, sxx, syy, sxy, day0 in cursor.fetchall():
            if kind == "day":
                days.setdefault(int(key), {})[sent] = float(sx or 0)  # the day's total
                continue
            arms[(breakdown, key, sent)] = ArmSums(
                n=n,
                sx=float(sx or 0),
                sy=float(sy or 0),
                sxx=float(sxx or 0),
                syy=float(syy or 0),
                sxy=float(sxy or 0),
            )
            if breakdown == "" and day0 is not None:
                last_send_day = max(last_send_day or day0, day0)
    return _outcome(
        campaign, metric, window_days, arms=arms, days=days, last_send_day=last_send_day
    )


def _outcome(
    campaign: Campaign,
    metric: str,
    window_days: int,
    *,
    arms: dict[tuple[str, str, bool], ArmSums],
    days: dict[int, dict[bool, float]],
    last_send_day: date | None,
) -> Outcome:
    empty = ArmSums()
    all_sent, all_holdout = arms.get(("", "", True), empty), arms.get(("", "", False), empty)
    breakdowns: dict[str, list[GroupOutcome]] = {}
    for breakdown in BREAKDOWNS:
        keys = sorted(
            {key for (name, key, _sent) in arms if name == breakdown},
            key=lambda k: (len(k), k) if breakdown == "level" else (0, k),
        )
        rows = []
        for key in keys:
            if breakdown == "variant":
                if key == "":
                    continue  # the holdout's: every variant is compared with the whole holdout
                holdout = all_holdout
            else:
                holdout = arms.get((breakdown, key, False), empty)
            rows.append(_group(key, arms.get((breakdown, key, True), empty), holdout))
        breakdowns[breakdown] = rows
    daily = [
        DayMeans(
            day=day,
            sent=totals.get(True, 0.0) / all_sent.n if all_sent.n else 0.0,
            holdout=totals.get(False, 0.0) / all_holdout.n if all_holdout.n else 0.0,
        )
        for day, totals in sorted(days.items())
    ]
    return Outcome(
        campaign_id=campaign.pk,
        metric=metric,
        window_days=window_days,
        has_holdout=bool(campaign.holdout_percent) or all_holdout.n > 0,
        min_creators=settings.OUTCOME_MIN_CREATORS,
        overall=_group("", all_sent, all_holdout),
        breakdowns=breakdowns,
        daily=daily,
        last_send_day=last_send_day,
        computed_at=timezone.now(),
    )


def _cache_key(campaign: Campaign, metric: str, window_days: int) -> str:
    return f"outcome:v{CACHE_VERSION}:{campaign.pk}:{metric}:{window_days}"


def campaign_outcome_get(
    *, campaign: Campaign, metric: str = Metric.GMV, window_days: int | None = None
) -> Outcome:
    """The cached outcome (settings.OUTCOME_CACHE_SECONDS), computed first if there is none."""
    if window_days is None:
        window_days = campaign.outcome_window_days
    outcome_arguments_check(metric=metric, window_days=window_days)
    key = _cache_key(campaign, metric, window_days)
    outcome = cache.get(key)
    if outcome is None:
        outcome = campaign_outcome_compute(
            campaign=campaign, metric=metric, window_days=window_days
        )
        cache.set(key, outcome, settings.OUTCOME_CACHE_SECONDS)
    return outcome
