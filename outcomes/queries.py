"""The one SQL statement behind a campaign outcome (docs/outcomes.md).

Per creator of the campaign who was sent it or held out: its send time (the first `sent_at`
of a sent delivery; for the holdout, when fan-out recorded its `holdout` row), the day of that
time in settings.TIME_ZONE (day 0), and the metric summed over the pre window (days −w…−1) and
the post window (days 0…w−1); missing days count as 0. The creator's channel, language and
variant are those of its first sent (else holdout) delivery, its level the creator's current
one. Then, in the same statement, the per-arm sums every breakdown needs (GROUPING SETS) and
the daily totals per arm and relative day for the chart: the metric rows are read once.
"""

from __future__ import annotations

from campaigns.models import Delivery
from creators.models import Creator
from programs.models import CreatorMetric

BREAKDOWNS = ("channel", "locale", "level", "variant")

OUTCOME_SQL = f"""
WITH units AS (
    SELECT d.creator_id,
           BOOL_OR(d.status = 'sent') AS sent,
           (ARRAY_AGG(d.channel ORDER BY d.status <> 'sent', d.id))[1] AS channel,
           (ARRAY_AGG(d.locale ORDER BY d.status <> 'sent', d.id))[1] AS locale,
           (ARRAY_AGG(d.variant ORDER BY d.status <> 'sent', d.id))[1] AS variant,
           (COALESCE(MIN(d.sent_at) FILTER (WHERE d.status = 'sent'),
                     MIN(d.created_at) FILTER (WHERE d.status = 'holdout'))
            AT TIME ZONE %(tz)s)::date AS day0
    FROM {Delivery._meta.db_table} d
    WHERE d.campaign_id = %(campaign)s AND d.status IN ('sent', 'holdout')
    GROUP BY d.creator_id
),
joined AS (
    -- Only narrow keys ride along the metric rows (millions of them): the creator's channel,
    -- language, variant and level are joined after the per-creator sums (200,000 rows).
    SELECT u.creator_id, u.sent, m.date - u.day0 AS rel, m.value::float8 AS value
    FROM units u
    LEFT JOIN {CreatorMetric._meta.db_table} m
      ON m.creator_id = u.creator_id AND m.metric = %(metric)s
     AND m.date >= u.day0 - %(window)s AND m.date < u.day0 + %(window)s
),
sums AS (
    SELECT GROUPING(creator_id) AS daily, creator_id, sent, rel,
           COALESCE(SUM(value) FILTER (WHERE rel < 0), 0) AS x,
           COALESCE(SUM(value) FILTER (WHERE rel >= 0), 0) AS y,
           SUM(value) AS total
    FROM joined
    GROUP BY GROUPING SETS ((creator_id, sent), (sent, rel))
),
firsts AS (
    SELECT 0 AS daily, s.sent, NULL::integer AS rel, u.channel, u.locale, c.level, u.variant,
           u.day0, s.x, s.y, NULL::float8 AS total
    FROM sums s
    JOIN units u ON u.creator_id = s.creator_id
    JOIN {Creator._meta.db_table} c ON c.id = s.creator_id
    WHERE s.daily = 0
    UNION ALL
    SELECT 1, sent, rel, NULL, NULL, NULL, NULL, NULL, 0, 0, total
    FROM sums WHERE daily = 1
)
SELECT 'arm' AS kind, sent,
       CASE WHEN GROUPING(channel) = 0 THEN 'channel' WHEN GROUPING(locale) = 0 THEN 'locale'
            WHEN GROUPING(level) = 0 THEN 'level' WHEN GROUPING(variant) = 0 THEN 'variant'
            ELSE '' END AS breakdown,
       COALESCE(channel, locale, level::text, variant, '') AS key,
       COUNT(*), SUM(x), SUM(y), SUM(x * x), SUM(y * y), SUM(x * y), MAX(day0)
FROM firsts WHERE daily = 0
GROUP BY GROUPING SETS ((sent), (sent, channel), (sent, locale), (sent, level), (sent, variant))
UNION ALL
SELECT 'day', sent, '', rel::text, 0, total, 0, 0, 0, 0, NULL
FROM firsts WHERE daily = 1 AND rel IS NOT NULL
"""
