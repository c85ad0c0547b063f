"""Demo metrics: the demo creators' GMV of the last 30 days as daily `gmv` rows, so the
cached `gmv_30d` is derived from metrics as everywhere else (docs/metrics.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import campaign_create
from creators.models import Creator
from programs.gmv import gmv_30d_refresh
from programs.models import CreatorMetric, Metric, Program
from programs.services import program_enrol_eligible, program_save
from segments.models import Segment


@transaction.atomic
def creator_metrics_demo_create() -> int:
    """Split each creator's demo gmv_30d (with no gmv rows yet) over ten days of the last 30,
    staggered by creator so every day has data; returns the rows written. Then gmv_30d is
    refreshed from them, which gives back the same figures."""
    metrics, creators = CreatorMetric._meta.db_table, Creator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {metrics} (creator_id, date, metric, value)
            SELECT c.id, %s::date - (3 * k + c.id %% 3)::int, %s,
                   CASE WHEN k = 0 THEN c.gmv_30d - 9 * trunc(c.gmv_30d / 10, 2)
                        ELSE trunc(c.gmv_30d / 10, 2) END
            FROM {creators} c CROSS JOIN generate_series(0, 9) AS k
            WHERE c.gmv_30d > 0 AND NOT EXISTS (
                SELECT 1 FROM {metrics} m WHERE m.creator_id = c.id AND m.metric = %s)
            ON CONFLICT DO NOTHING
            """,
            [timezone.localdate(), Metric.GMV.value, Metric.GMV.value],
        )
        written = max(cursor.rowcount, 0)
    gmv_30d_refresh()
    return written


PROGRAM_NAME = "Demo · Reto de ventas de diciembre"


@transaction.atomic
def program_demo_create(*, segment: Segment) -> int:
    """A competition on GMV over the last 30 days with the demo list enrolled (so it has
    bands and a leaderboard from the demo metrics); returns how many creators were enrolled
    (0 when it exists already)."""
    if Program.objects.filter(campaign__name=PROGRAM_NAME).exists():
        return 0
    today = timezone.localdate()
    campaign = campaign_create(
        owner=None,
        name=PROGRAM_NAME,
        kind=Campaign.Kind.COMPETITION,
        segment=segment,
        messages=[
            {
                "channel": "inbox",
                "locale": "es-MX",
                "title": "Reto de ventas de diciembre",
                "body": "Los 3 creadores con más ventas ganan. ¡Suerte!",
            }
        ],
    )
    program = program_save(
        campaign=campaign,
        starts_on=today - timedelta(days=29),
        ends_on=today + timedelta(days=1),
        metric=Metric.GMV,
        threshold=Decimal("20000"),
        reward="Kit de iluminación para LIVE",
        prizes=[
            {"rank": 1, "prize": "10,000 MXN"},
            {"rank": 2, "prize": "5,000 MXN"},
            {"rank": 3, "prize": "Kit de iluminación"},
        ],
        rules_text="Cuentan las ventas atribuidas a tus links de afiliado durante el reto.",
    )
    return program_enrol_eligible(program=program)
