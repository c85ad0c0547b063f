"""What a launch would send, per channel, for the wizard's confirmation (docs/campaigns-ui.md).

One query over the segment with fan-out's own conditions (campaigns/fanout.py and
policies.py): consent, reachability, the program-wide holdout, the WhatsApp 24-hour window
for body-only messages, the campaign's holdout buckets and the frequency cap. Counted when the
page loads; fan-out decides again when the campaign starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from campaigns import policies, whatsapp_window
from campaigns.fanout import eligible_condition, reachable_condition
from campaigns.models import Campaign, Message
from creators.models import CONSENT_FIELDS, ConsentStatus, Creator
from segments.selectors import segment_creators


@dataclass(frozen=True)
class ChannelLaunchCount:
    channel: str
    consented: int  # consent granted on the channel
    reachable: int  # …and an address or device, not suppressed
    program_holdout: int  # reachable but in the program-wide holdout (marketing only)
    outside_window: int  # WhatsApp free text only: outside the 24-hour window
    holdout: int  # the campaign's own holdout share (recorded, not sent)
    capped: int  # over the frequency cap (recorded as skipped)
    to_send: int  # what fan-out would create as pending deliveries


@dataclass(frozen=True)
class LaunchCounts:
    total: int  # creators in the segment now
    channels: list[ChannelLaunchCount]


COLUMNS = (
    "consented",
    "reachable",
    "program_holdout",
    "outside_window",
    "holdout",
    "capped",
    "to_send",
)


def campaign_launch_counts(*, campaign: Campaign) -> LaunchCounts | None:
    """Per channel of the campaign: the creators of its segment at each step between the
    segment and the deliveries a launch now would create. None without a segment."""
    if campaign.segment is None:
        return None
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    split = policies.campaign_split(campaign)
    in_holdout = (
        f"{policies.bucket_sql(campaign.pk)} < {split.holdout!r}" if split.holdout else "FALSE"
    )
    cap = policies.campaign_frequency_cap(campaign)
    messages: dict[str, list] = {}
    for channel, locale, fields in Message.objects.filter(campaign=campaign, step=0).values_list(
        "channel", "locale", "fields"
    ):
        messages.setdefault(channel, []).append((locale, fields))
    columns: list[str] = []
    params: list = []
    for channel in campaign.channels:
        consent = f"c.{CONSENT_FIELDS[channel]} = '{ConsentStatus.GRANTED.value}'"
        reachable = reachable_condition(channel)
        eligible = eligible_condition(channel, transactional=campaign.transactional)
        window_sql, window_params = whatsapp_window.fanout_condition(
            channel=channel,
            messages=messages.get(channel, []),
            default_locale=campaign.default_locale,
            now=adapt(now),
        )
        window = window_sql or "TRUE"
        if cap is not None:
            capped_sql = (
                policies.cap_count_sql(
                    creator="c.id", channel=f"'{channel}'", states=policies.CAP_FANOUT_STATES
                )
                + f" >= {int(cap.limit)}"
            )
            capped_params = [adapt(now - cap.window)]
        else:
            capped_sql, capped_params = "FALSE", []
        parts: list[tuple[str, list]] = [
            (consent, []),
            (reachable, []),
            (f"({reachable}) AND NOT ({eligible})", []),
            (f"({eligible}) AND NOT ({window})", window_params),
            (f"({eligible}) AND ({window}) AND ({in_holdout})", window_params),
            (
                f"({eligible}) AND ({window}) AND NOT ({in_holdout}) AND ({capped_sql})",
                [*window_params, *capped_params],
            ),
            (
                f"({eligible}) AND ({window}) AND NOT ({in_holdout}) AND NOT ({capped_sql})",
                [*window_params, *capped_params],
            ),
        ]
        for condition, condition_params in parts:
            columns.append(f"COUNT(*) FILTER (WHERE {condition})")
            params += condition_params
    audience_sql, audience_params = (
        segment_creators(campaign.segment).order_by().values("id").query.sql_with_params()
    )
    select = ", ".join(["COUNT(*)", *columns])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select} FROM {Creator._meta.db_table} c WHERE c.id IN ({audience_sql})",
            [*params, *audience_params],
        )
        row = cursor.fetchone()
    width = len(COLUMNS)
    return LaunchCounts(
        total=row[0],
        channels=[
            ChannelLaunchCount(channel, *row[1 + index * width : 1 + (index + 1) * width])
            for index, channel in enumerate(campaign.channels)
        ],
    )
