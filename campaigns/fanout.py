"""Fan-out: one delivery per (campaign, run, channel, creator), created in set-based SQL.

The segment's creators are filtered per channel to those who consented, have an address on
that channel and are not suppressed, and inserted with `INSERT … SELECT … ON CONFLICT DO
NOTHING`: the unique constraint makes a launch (or a retried launch task) idempotent. The
creators left out are counted per channel and reason in `FanoutSkip` (one grouped upsert
per channel).
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from campaigns.models import Campaign, Delivery, FanoutSkip, Message
from creators.models import CONSENT_FIELDS, Channel, ConsentStatus, Creator
from segments.selectors import segment_creators

# The SQL that makes a creator reachable on a channel (alias `c` is creators_creator).
_REACHABLE_SQL: dict[str, str] = {
    Channel.EMAIL: (
        "c.email <> '' AND NOT EXISTS (SELECT 1 FROM creators_suppression s "
        "WHERE s.channel = 'email' AND s.address = LOWER(c.email))"
    ),
    Channel.WHATSAPP: (
        "c.phone <> '' AND NOT EXISTS (SELECT 1 FROM creators_suppression s "
        "WHERE s.channel = 'whatsapp' AND s.address = c.phone)"
    ),
    Channel.PUSH: "EXISTS (SELECT 1 FROM creators_device d WHERE d.creator_id = c.id)",
    Channel.INBOX: "TRUE",
}


def reachable_condition(channel: str) -> str:
    """SQL (alias `c`) true for creators who consented to and can be reached on `channel`."""
    consent = f"c.{CONSENT_FIELDS[channel]} = '{ConsentStatus.GRANTED.value}'"
    return f"{consent} AND {_REACHABLE_SQL[channel]}"


def deliveries_create(*, campaign: Campaign, run: int) -> int:
    """Create the run's deliveries for every channel of the campaign; returns how many are new."""
    if campaign.segment is None:
        return 0
    audience_sql, audience_params = (
        segment_creators(campaign.segment).order_by().values("id").query.sql_with_params()
    )
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    table, creators_table = Delivery._meta.db_table, Creator._meta.db_table
    created = 0
    with connection.cursor() as cursor:
        for channel in campaign.channels:
            locales = sorted(
                Message.objects.filter(campaign=campaign, channel=channel).values_list(
                    "locale", flat=True
                )
            )
            if not locales:
                continue
            locale_placeholders = ", ".join(["%s"] * len(locales))
            cursor.execute(
                f"""
                INSERT INTO {table} (campaign_id, run, channel, creator_id, locale, status, attempts,
                                     provider_message_id, error_code, error_message, created_at, updated_at)
                SELECT %s, %s, %s, c.id,
                       CASE WHEN c.locale IN ({locale_placeholders}) THEN c.locale ELSE %s END,
                       %s, 0, '', '', '', %s, %s
                FROM {creators_table} c
                WHERE c.id IN ({audience_sql}) AND {reachable_condition(channel)}
                ON CONFLICT DO NOTHING
                """,
                [
                    campaign.pk,
                    run,
                    channel,
                    *locales,
                    campaign.default_locale,
                    Delivery.Status.PENDING,
                    created_at,
                    created_at,
                    *audience_params,
                ],
            )
            created += max(cursor.rowcount, 0)
            _skips_count(cursor, campaign=campaign, run=run, channel=channel,
                         audience_sql=audience_sql, audience_params=audience_params)  # fmt: skip
    return created


def _skips_count(
    cursor, *, campaign: Campaign, run: int, channel: str, audience_sql: str,
    audience_params: tuple,
) -> None:  # fmt: skip
    """Count, by reason, the audience members this channel's fan-out left out."""
    consent = f"c.{CONSENT_FIELDS[channel]}"
    granted = ConsentStatus.GRANTED.value
    skips, creators_table = FanoutSkip._meta.db_table, Creator._meta.db_table
    cursor.execute(
        f"""
        INSERT INTO {skips} (campaign_id, run, channel, reason, count)
        SELECT %s, %s, %s,
               CASE WHEN {consent} = %s THEN %s WHEN {consent} = %s THEN %s ELSE %s END,
               COUNT(*)
        FROM {creators_table} c
        WHERE c.id IN ({audience_sql}) AND NOT ({reachable_condition(channel)})
        GROUP BY 4
        ON CONFLICT (campaign_id, run, channel, reason) DO UPDATE SET count = EXCLUDED.count
        """,
        [
            campaign.pk, run, channel,
            granted, FanoutSkip.Reason.UNREACHABLE.value,
            ConsentStatus.DENIED.value, FanoutSkip.Reason.DENIED.value,
            FanoutSkip.Reason.UNKNOWN.value,
            *audience_params,
        ],
    )  # fmt: skip
