"""Our campaigns' open and click-through rates beside other markets' playbooks, by campaign
kind and channel: median, quartiles, min–max and sample size of each group.

- Ours: every non-draft campaign of the home market; each campaign's figures per channel come
  from `tracking.selectors.campaign_stats_get` (the rollups, as on the campaign page), one
  sample per campaign and channel that delivered anything. Those launched within the window
  are "recent", the rest "history".
- Playbooks: each playbook of another market with a reported rate is one sample for its
  kind and for each channel of its sequence.
Rates are percentages. Definitions: docs/markets.md.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from campaigns.models import Campaign
from creators.models import Channel
from markets.models import HOME_MARKET, Playbook
from tracking.selectors import campaign_stats_get

METRICS = ("open_rate", "click_rate")
MAX_CAMPAIGNS = 1000


@dataclass(frozen=True)
class Spread:
    n: int
    median: float
    q1: float
    q3: float
    low: float
    high: float


def spread_of(values: list[float]) -> Spread | None:
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        q1 = q3 = ordered[0]
    else:
        q1, _median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return Spread(
        n=len(ordered),
        median=statistics.median(ordered),
        q1=q1,
        q3=q3,
        low=ordered[0],
        high=ordered[-1],
    )


@dataclass
class CompareRow:
    kind: str
    channel: str
    metric: str
    recent: Spread | None
    history: Spread | None
    playbooks: Spread | None

    @property
    def kind_label(self) -> str:
        return str(dict(Campaign.Kind.choices).get(self.kind, self.kind))

    @property
    def channel_label(self) -> str:
        return str(dict(Channel.choices).get(self.channel, self.channel))


@dataclass
class _Samples:
    recent: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    history: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    playbooks: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)


def comparison_build(
    *, since: datetime, kind: str = "", playbook_market: str = "", market: str = HOME_MARKET
) -> list[CompareRow]:
    samples = _Samples()
    campaigns = Campaign.objects.filter(market=market).exclude(status=Campaign.Status.DRAFT)
    if kind:
        campaigns = campaigns.filter(kind=kind)
    for campaign in campaigns.order_by("-created_at")[:MAX_CAMPAIGNS]:
        started = campaign.launched_at or campaign.created_at
        bucket = samples.recent if started >= since else samples.history
        stats = campaign_stats_get(campaign=campaign, detail=False)
        for channel, figures in stats.channels.items():
            if figures.delivered <= 0:
                continue
            bucket.setdefault((campaign.kind, channel, "open_rate"), []).append(
                100 * figures.open_rate
            )
            bucket.setdefault((campaign.kind, channel, "click_rate"), []).append(
                100 * figures.click_rate
            )
    playbooks = Playbook.objects.exclude(market_id=market)
    if kind:
        playbooks = playbooks.filter(kind=kind)
    if playbook_market:
        playbooks = playbooks.filter(market_id=playbook_market)
    for playbook in playbooks:
        for metric in METRICS:
            value = getattr(playbook, metric)
            if value is None:
                continue
            for channel in playbook.channels:
                samples.playbooks.setdefault((playbook.kind, channel, metric), []).append(
                    float(value)
                )
    keys = set(samples.recent) | set(samples.history) | set(samples.playbooks)
    kinds, channels = list(Campaign.Kind.values), list(Channel.values)
    rows = [
        CompareRow(
            kind=k,
            channel=c,
            metric=m,
            recent=spread_of(samples.recent.get((k, c, m), [])),
            history=spread_of(samples.history.get((k, c, m), [])),
            playbooks=spread_of(samples.playbooks.get((k, c, m), [])),
        )
        for k, c, m in keys
    ]
    rows.sort(
        key=lambda row: (
            kinds.index(row.kind),
            channels.index(row.channel),
            METRICS.index(row.metric),
        )
    )
    return rows
