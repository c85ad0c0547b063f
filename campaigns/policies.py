"""Sending policies as SQL: quiet hours, send at local time, spreading, frequency caps and
variant / holdout assignment (docs/policies.md).

Everything here becomes part of the fan-out's `INSERT … SELECT` (campaigns/fanout.py) or of
the dispatcher's claim (campaigns/dispatch.py): no Python loop over creators.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection

from campaigns.exceptions import CampaignIncomplete
from campaigns.models import Campaign, Delivery

# Deliveries that count against a frequency cap at fan-out (already planned or sent)...
CAP_FANOUT_STATES = (
    Delivery.Status.PENDING,
    Delivery.Status.CLAIMED,
    Delivery.Status.SENDING,
    Delivery.Status.SENT,
    Delivery.Status.UNKNOWN,
)
# ...and at claim time (on their way or sent: another campaign's pending row may never go).
CAP_CLAIM_STATES = (
    Delivery.Status.CLAIMED,
    Delivery.Status.SENDING,
    Delivery.Status.SENT,
    Delivery.Status.UNKNOWN,
)


def quiet_hours_parse(value: str) -> tuple[time, time] | None:
    """ "21:00-09:00" → (21:00, 09:00); empty → None."""
    value = value.strip()
    if not value:
        return None
    start, _sep, end = value.partition("-")
    try:
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError as error:
        raise ValueError(f"QUIET_HOURS must look like 21:00-09:00, not {value!r}") from error


def campaign_quiet_hours(campaign: Campaign) -> tuple[time, time] | None:
    """The campaign's own quiet hours, else the QUIET_HOURS setting (creators may override)."""
    if campaign.quiet_hours_start is not None and campaign.quiet_hours_end is not None:
        return campaign.quiet_hours_start, campaign.quiet_hours_end
    return quiet_hours_parse(settings.QUIET_HOURS)


@dataclass(frozen=True)
class FrequencyCap:
    limit: int
    window: timedelta


def campaign_frequency_cap(campaign: Campaign) -> FrequencyCap | None:
    """The cap that applies to the campaign's kind, or None (no cap, or transactional)."""
    if campaign.transactional:
        return None
    limit = settings.FREQUENCY_CAP_BY_KIND.get(campaign.kind, settings.FREQUENCY_CAP)
    if limit <= 0:
        return None
    return FrequencyCap(limit, timedelta(hours=settings.FREQUENCY_CAP_WINDOW_HOURS))


def cap_lock(cursor, channels: list[str]) -> None:
    """Serialize, per channel, everything that counts a creator's recent messages and then
    adds one (fan-outs and claims of capped campaigns), until the transaction ends.
    Channels in a fixed order, so two of them never wait on each other."""
    for channel in sorted(set(channels)):
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [cap_lock_key(channel)])


def cap_lock_key(channel: str) -> int:
    return zlib.crc32(f"altavoz:frequency-cap:{channel}".encode())


def cap_count_sql(
    *, creator: str, channel: str, states: tuple[str, ...], exclude_id: str = ""
) -> str:
    """SQL counting a creator's messages on a channel since %s (one parameter: the window
    start). A message's moment is when it was sent, else when it is due, else created."""
    table = Delivery._meta.db_table
    in_states = ", ".join(f"'{state}'" for state in states)
    exclude = f" AND r.id <> {exclude_id}" if exclude_id else ""
    return (
        f"(SELECT COUNT(*) FROM {table} r WHERE r.creator_id = {creator} AND r.channel = {channel}"
        f" AND r.status IN ({in_states}){exclude}"
        f" AND COALESCE(r.sent_at, r.not_before, r.created_at) > %s)"
    )


def bucket_sql(campaign_id: int) -> str:
    """A creator's (alias `c`) stable place in [0, 1) for this campaign: the first 32 bits of
    md5(campaign id:creator id). The same on every run and every channel."""
    return (
        f"(('x' || substr(md5('{int(campaign_id)}:' || c.id::text), 1, 8))::bit(32)::bigint"
        "::float8 / 4294967296.0)"
    )


@dataclass(frozen=True)
class Split:
    """How the [0, 1) buckets are shared: [0, holdout) holdout, then the test share (every
    creator if there is no test phase) split by the variant weights, then the remainder."""

    holdout: float
    variants_end: float
    weights: tuple[tuple[str, float], ...]

    def variant_sql(self) -> str:
        """CASE giving the variant of a bucket (alias `a.bucket`) in the variants' range."""
        if not self.weights:
            return "''"
        if len(self.weights) == 1:
            return f"'{self.weights[0][0]}'"
        total = sum(weight for _key, weight in self.weights)
        span = self.variants_end - self.holdout
        edge, whens = self.holdout, []
        for key, weight in self.weights[:-1]:
            edge += span * weight / total
            whens.append(f"WHEN a.bucket < {edge!r} THEN '{key}'")
        return f"CASE {' '.join(whens)} ELSE '{self.weights[-1][0]}' END"


def campaign_split(campaign: Campaign) -> Split:
    holdout = float(campaign.holdout_percent or 0) / 100
    weights = tuple(
        (str(key), float(value)) for key, value in sorted(campaign.variant_weights.items())
    )
    test = float(campaign.test_percent or 0) / 100 if weights else 0.0
    variants_end = holdout + (1 - holdout) * test if test else 1.0
    return Split(holdout=holdout, variants_end=variants_end, weights=weights)


def campaign_policies_used(campaign: Campaign) -> list[str]:
    """The sending policies that apply to this campaign (its own and the global settings)."""
    used = []
    if campaign_quiet_hours(campaign) is not None:
        used.append("quiet hours")
    if campaign.send_local_time is not None:
        used.append("send at local time")
    if campaign.spread_seconds:
        used.append("spread")
    if campaign_frequency_cap(campaign) is not None:
        used.append("frequency cap")
    if campaign.channel_priority:
        used.append("channel priority")
    if campaign.holdout_percent or campaign.variant_weights or campaign.test_percent:
        used.append("A/B test or holdout")
    if (
        campaign.pk
        and campaign.sequence_steps.filter(removed=False, local_time__isnull=False).exists()
    ):
        used.append("follow-up step at a local time")
    return used


def campaign_policies_validate(campaign: Campaign) -> None:
    """Refuse settings that cannot be sent (called before launch and when policies are saved)."""
    from django.utils.translation import gettext as _

    for name in ("holdout_percent", "test_percent"):
        value = getattr(campaign, name) or Decimal(0)
        if not 0 <= value < 100:
            raise CampaignIncomplete(_("Holdout and test shares must be between 0 and 100 %."))
    weights = campaign.variant_weights or {}
    if not isinstance(weights, dict) or any(
        not isinstance(value, int | float) or value <= 0 for value in weights.values()
    ):
        raise CampaignIncomplete(_("Variant weights must be positive numbers, e.g. A=50, B=50."))
    if any(not str(key).isalnum() or len(str(key)) > 16 for key in weights):
        raise CampaignIncomplete(_("Variant names are letters or digits, e.g. A and B."))
    if campaign.test_percent and len(weights) < 2:
        raise CampaignIncomplete(_("A test phase needs at least two variants."))
    unknown = [channel for channel in campaign.channel_priority if channel not in campaign.channels]
    if unknown:
        raise CampaignIncomplete(
            _("Channel priority names channels without a message: %(channels)s.")
            % {"channels": ", ".join(unknown)}
        )
    if (campaign.quiet_hours_start is None) != (campaign.quiet_hours_end is None):
        raise CampaignIncomplete(_("Give both ends of the quiet hours, or neither."))


def base_sql(*, campaign: Campaign, now: datetime, local_time: time | None) -> tuple[str, list]:
    """A column of the creators subquery (alias `c`, window functions over the audience): the
    moment a creator's message is meant for before quiet hours, or NULL for "now".
    `local_time`: the campaign's send_local_time, or a sequence step's (None: no local time)."""
    adapt = connection.ops.adapt_datetimefield_value
    local = local_time
    spread = campaign.spread_seconds
    params: list = []
    if local is not None:
        # The next `local` o'clock at or after now, in the creator's zone.
        here = "(%s::timestamptz AT TIME ZONE c.timezone)"
        base = (
            f"(CASE WHEN {here}::date + %s::time >= {here} THEN {here}::date + %s::time"
            f" ELSE {here}::date + %s::time + interval '1 day' END) AT TIME ZONE c.timezone"
        )
        params += [adapt(now), local, adapt(now), adapt(now), local, adapt(now), local]
    elif spread:
        base = "%s::timestamptz"
        params.append(adapt(now))
    else:
        return "NULL::timestamptz", []
    if spread:
        # Row n of N goes n/N of the way through the period: an even spread, set in SQL.
        base = (
            f"({base} + (ROW_NUMBER() OVER (ORDER BY c.id) - 1) * %s::float8"
            " / COUNT(*) OVER () * interval '1 second')"
        )
        params.append(float(spread))
    return base, params


def quiet_columns_sql(quiet: tuple[time, time] | None) -> tuple[str, list]:
    """Columns quiet_start, quiet_end of the creators subquery: the creator's own, else these."""
    both = "c.quiet_hours_start IS NOT NULL AND c.quiet_hours_end IS NOT NULL"
    start, end = quiet if quiet is not None else (None, None)
    return (
        f"CASE WHEN {both} THEN c.quiet_hours_start ELSE %s::time END AS quiet_start, "
        f"CASE WHEN {both} THEN c.quiet_hours_end ELSE %s::time END AS quiet_end",
        [start, end],
    )


# The outer query's local time: `a` is the creators subquery (base, timezone, quiet_start,
# quiet_end); one parameter, now. NULL where no quiet hours apply, so it costs nothing there.
LOCAL_LATERAL_SQL = (
    "CROSS JOIN LATERAL (SELECT CASE WHEN a.quiet_start IS NULL THEN NULL ELSE"
    " COALESCE(a.base, %s::timestamptz) AT TIME ZONE a.timezone END AS at) l"
)

# `not_before`: the base moment, moved to the end of the quiet hours when it falls inside them
# (windows may wrap midnight: 21:00-09:00), in the creator's own zone.
NOT_BEFORE_SQL = (
    "CASE"
    " WHEN l.at IS NULL OR a.quiet_start = a.quiet_end THEN a.base"
    " WHEN a.quiet_start < a.quiet_end AND l.at::time >= a.quiet_start"
    "  AND l.at::time < a.quiet_end THEN (l.at::date + a.quiet_end) AT TIME ZONE a.timezone"
    " WHEN a.quiet_start > a.quiet_end AND l.at::time >= a.quiet_start"
    "  THEN (l.at::date + 1 + a.quiet_end) AT TIME ZONE a.timezone"
    " WHEN a.quiet_start > a.quiet_end AND l.at::time < a.quiet_end"
    "  THEN (l.at::date + a.quiet_end) AT TIME ZONE a.timezone"
    " ELSE a.base END"
)
