"""Fan-out: one delivery per (campaign, run, channel, creator), created in set-based SQL.

The segment's creators are filtered per channel to those who consented, have an address on
that channel and are not suppressed (and, for marketing campaigns, are not in the
program-wide holdout: `eligible_condition`), and inserted with `INSERT … SELECT … ON CONFLICT DO
NOTHING`: the unique constraint makes a launch (or a retried launch task) idempotent.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from campaigns import policies, whatsapp_window
from campaigns.models import Campaign, Delivery, FanoutSkip, Message, SequenceStep
from creators.holdout import program_holdout_condition
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


def eligible_condition(channel: str, *, transactional: bool) -> str:
    """SQL (alias `c`) true for creators a campaign may send to on `channel`: reachable
    (`reachable_condition`) and, unless the campaign is transactional, not in the
    program-wide holdout (creators/holdout.py). Every path that creates deliveries uses it:
    launches, sequence steps, late entrants, A/B remainders, fallbacks (and triggers)."""
    reachable = reachable_condition(channel)
    if transactional:
        return reachable
    held_out = program_holdout_condition("c")
    return reachable if held_out == "FALSE" else f"{reachable} AND NOT ({held_out})"


def deliveries_create(
    *,
    campaign: Campaign,
    run: int,
    now: datetime | None = None,
    phase: str = "",
    step: SequenceStep | None = None,
    audience: tuple[str, tuple] | None = None,
) -> int:
    """Create the run's deliveries for the campaign's channels; returns how many are new.

    Policies (campaigns/policies.py, docs/policies.md) are applied in the same statement:
    quiet hours, local send time and spreading set `not_before`; the holdout is recorded as
    `holdout` and creators over the frequency cap as `skipped_cap`; each creator's variant is
    recorded. With a channel priority, a creator gets only the first channel they can be
    reached on. With a test phase, `phase=""` creates the holdout and the test share and
    `phase="remainder"` (after the winner is picked) everyone else, with the winner.

    A sequence step (campaigns/sequences.py) passes itself and its `audience` (SQL selecting
    creator ids, with its parameters): its deliveries carry `step`, go on its channel with
    its messages at its local time, and get no holdout or variant (decided at the first send).
    """
    if campaign.segment is None and audience is None:
        _fanout_done(campaign, run=run, step=step, phase=phase)
        return 0
    now = now or timezone.now()
    cap = policies.campaign_frequency_cap(campaign)
    channels = [step.channel] if step else list(campaign.channel_priority or campaign.channels)
    created = 0
    # A capped fan-out holds its channels' cap locks to the end of its transaction.
    atomic = transaction.atomic() if cap is not None else contextlib.nullcontext()
    with atomic, connection.cursor() as cursor:
        if cap is not None:
            policies.cap_lock(cursor, channels)
        for channel in channels:
            created += _channel_create(
                cursor,
                campaign=campaign,
                run=run,
                channel=channel,
                now=now,
                phase=phase,
                cap=cap,
                step=step,
                audience=audience,
            )
    _fanout_done(campaign, run=run, step=step, phase=phase)
    return created


def _fanout_done(campaign: Campaign, *, run: int, step: SequenceStep | None, phase: str) -> None:
    """The run's own fan-out has run (a retried one finds nothing new): the watchdog no longer
    queues it, and the run may finish once its deliveries settle. Recorded after the inserts:
    before them, a run with no delivery yet would look finished."""
    if step is None and not phase:
        Campaign.objects.filter(pk=campaign.pk, fanout_run__lt=run).update(fanout_run=run)
        campaign.fanout_run = max(campaign.fanout_run, run)


def _channel_create(
    cursor,
    *,
    campaign: Campaign,
    run: int,
    channel: str,
    now: datetime,
    phase: str,
    cap: policies.FrequencyCap | None,
    step: SequenceStep | None = None,
    audience: tuple[str, tuple] | None = None,
) -> int:
    step_id = step.pk if step else 0
    # Each message's language and fields (WhatsApp's decide whether the window matters).
    messages = list(
        Message.objects.filter(campaign=campaign, step=step_id, channel=channel).values_list(
            "locale", "fields"
        )
    )
    locales = sorted({locale for locale, _fields in messages})
    if not locales:
        return 0
    if audience is not None:
        audience_sql, audience_params = audience
    else:
        assert campaign.segment is not None, "a campaign without a segment has no audience"
        audience_sql, audience_params = (
            segment_creators(campaign.segment).order_by().values("id").query.sql_with_params()
        )
    adapt = connection.ops.adapt_datetimefield_value
    table, creators_table = Delivery._meta.db_table, Creator._meta.db_table
    split = policies.Split(0.0, 1.0, ()) if step else policies.campaign_split(campaign)
    uses_bucket = bool(split.holdout or split.weights)
    bucket = policies.bucket_sql(campaign.pk) if uses_bucket else "0.5"
    # Which buckets this statement covers: a test phase keeps the remainder for the winner.
    if phase == "remainder":
        bucket_filter = f"AND {bucket} >= {split.variants_end!r}"
        variant = f"'{campaign.winner_variant}'"
    else:
        bucket_filter = f"AND {bucket} < {split.variants_end!r}" if split.variants_end < 1 else ""
        variant = split.variant_sql()
    quiet_columns, quiet_params = policies.quiet_columns_sql(
        policies.campaign_quiet_hours(campaign)
    )
    base, base_params = policies.base_sql(
        campaign=campaign, now=now, local_time=step.local_time if step else campaign.send_local_time
    )
    if cap is not None:
        recent = policies.cap_count_sql(
            creator="c.id", channel=f"'{channel}'", states=policies.CAP_FANOUT_STATES
        )
        recent_params = [adapt(now - cap.window)]
        capped = f"WHEN a.recent >= {int(cap.limit)} THEN '{Delivery.Status.SKIPPED_CAP.value}'"
    else:
        recent, recent_params, capped = "0", [], ""
    # By priority, one channel per creator: skip creators an earlier channel already has.
    first_only = (
        f"AND NOT EXISTS (SELECT 1 FROM {table} e WHERE e.campaign_id = {int(campaign.pk)} "
        f"AND e.run = {int(run)} AND e.step = 0 AND e.creator_id = c.id)"
        if campaign.channel_priority and not step
        else ""
    )
    locale_placeholders = ", ".join(["%s"] * len(locales))
    holdout = f"a.bucket < {split.holdout!r}"
    # Body-only WhatsApp: only creators inside their 24-hour window (campaigns/whatsapp_window.py).
    window_sql, window_params = whatsapp_window.fanout_condition(
        channel=channel,
        messages=messages,
        default_locale=campaign.default_locale,
        now=adapt(now),
    )
    window_filter = f"AND {window_sql}" if window_sql else ""
    cursor.execute(
        f"""
        INSERT INTO {table} (campaign_id, run, step, channel, creator_id, locale, status,
                             variant, not_before, attempts, provider_message_id, error_code,
                             error_message, created_at, updated_at)
        SELECT {int(campaign.pk)}, {int(run)}, {int(step_id)}, '{channel}', a.id, a.locale,
               CASE WHEN {holdout} THEN '{Delivery.Status.HOLDOUT.value}' {capped}
                    ELSE '{Delivery.Status.PENDING.value}' END,
               CASE WHEN {holdout} THEN '' ELSE {variant} END,
               {policies.NOT_BEFORE_SQL}, 0, '', '', '', %s, %s
        FROM (
            SELECT c.id, c.timezone,
                   CASE WHEN c.locale IN ({locale_placeholders}) THEN c.locale ELSE %s END AS locale,
                   {bucket} AS bucket, {quiet_columns}, {base} AS base, {recent} AS recent
            FROM {creators_table} c
            WHERE c.id IN ({audience_sql})
                  AND {eligible_condition(channel, transactional=campaign.transactional)}
                  {window_filter} {first_only} {bucket_filter}
        ) a {policies.LOCAL_LATERAL_SQL}
        ON CONFLICT DO NOTHING
        """,
        [
            adapt(now),
            adapt(now),
            *locales,
            campaign.default_locale,
            *quiet_params,
            *base_params,
            *recent_params,
            *audience_params,
            *window_params,
            adapt(now),
        ],
    )
    created = max(cursor.rowcount, 0)
    if phase == "remainder" or step:
        return created
    if not campaign.channel_priority:
        # Who this channel left out, by reason (with a priority, another channel may reach them).
        _skips_count(
            cursor,
            campaign=campaign,
            run=run,
            channel=channel,
            audience_sql=audience_sql,
            audience_params=audience_params,
            window=(window_sql, window_params),
        )
    elif channel == campaign.channel_priority[0]:
        # With a priority, the other reasons depend on the later channels; the program-wide
        # holdout does not: counted once, on the first channel.
        _holdout_skips_count(cursor, campaign, run, channel, (audience_sql, audience_params))
    return created


def _holdout_skips_count(
    cursor, campaign: Campaign, run: int, channel: str, audience: tuple[str, tuple]
) -> None:
    audience_sql, audience_params = audience
    held_out = "FALSE" if campaign.transactional else program_holdout_condition("c")
    if held_out == "FALSE":
        return
    cursor.execute(
        f"""
        INSERT INTO {FanoutSkip._meta.db_table} (campaign_id, run, channel, reason, count)
        SELECT %s, %s, %s, %s, COUNT(*) FROM {Creator._meta.db_table} c
        WHERE c.id IN ({audience_sql}) AND {held_out}
        HAVING COUNT(*) > 0
        ON CONFLICT (campaign_id, run, channel, reason) DO UPDATE SET count = EXCLUDED.count
        """,
        [campaign.pk, run, channel, FanoutSkip.Reason.PROGRAM_HOLDOUT.value, *audience_params],
    )


def _skips_count(
    cursor,
    *,
    campaign: Campaign,
    run: int,
    channel: str,
    audience_sql: str,
    audience_params: tuple,
    window: tuple[str, list] = ("", []),
) -> None:
    """Count, by reason, the audience members this channel's fan-out left out. `window`: the
    WhatsApp window's condition (`whatsapp_window.fanout_condition`), if it applies: the
    reachable creators it leaves out are counted as `outside_whatsapp_window`. Creators in
    the program-wide holdout are counted as `program_holdout` whatever else holds."""
    consent = f"c.{CONSENT_FIELDS[channel]}"
    granted = ConsentStatus.GRANTED.value
    skips, creators_table = FanoutSkip._meta.db_table, Creator._meta.db_table
    reachable = reachable_condition(channel)
    window_sql, window_params = window
    outside_case, outside_params, left_out = "", [], f"NOT ({reachable})"
    if window_sql:
        outside_case, outside_params = f"WHEN {reachable} THEN %s", [whatsapp_window.REASON.value]
        left_out = f"NOT ({reachable} AND {window_sql})"
    held_out = "FALSE" if campaign.transactional else program_holdout_condition("c")
    if held_out != "FALSE":
        outside_case = f"WHEN {held_out} THEN %s {outside_case}"
        outside_params = [FanoutSkip.Reason.PROGRAM_HOLDOUT.value, *outside_params]
        left_out = f"(({held_out}) OR {left_out})"
    cursor.execute(
        f"""
        INSERT INTO {skips} (campaign_id, run, channel, reason, count)
        SELECT %s, %s, %s,
               CASE {outside_case} WHEN {consent} = %s THEN %s WHEN {consent} = %s THEN %s
                    ELSE %s END,
               COUNT(*)
        FROM {creators_table} c
        WHERE c.id IN ({audience_sql}) AND {left_out}
        GROUP BY 4
        ON CONFLICT (campaign_id, run, channel, reason) DO UPDATE SET count = EXCLUDED.count
        """,
        [
            campaign.pk,
            run,
            channel,
            *outside_params,
            granted,
            FanoutSkip.Reason.UNREACHABLE.value,
            ConsentStatus.DENIED.value,
            FanoutSkip.Reason.DENIED.value,
            FanoutSkip.Reason.UNKNOWN.value,
            *audience_params,
            *window_params,
        ],
    )


def fallback_deliveries_create(
    *, campaign: Campaign, run: int | None, failed_ids: list[int], bounced: bool = False
) -> int:
    """Channel fallback: for each delivery that failed permanently, create the creator's
    delivery on the next channel of `campaign.channel_priority` they can be reached on,
    pointing back at it (`fallback_from`). Set-based, one INSERT … SELECT per later channel;
    a failure gets at most one successor, so a creator has one open delivery at a time.
    `bounced`: the deliveries were accepted (`sent`) and reported undeliverable later.
    `run` None: the failed deliveries' own runs (a triggered campaign's)."""
    priority = list(campaign.channel_priority)
    if not priority or not failed_ids:
        return 0
    table, creators_table = Delivery._meta.db_table, Creator._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    created = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for position, channel in enumerate(priority[1:], start=1):
            messages = list(
                Message.objects.filter(campaign=campaign, step=0, channel=channel).values_list(
                    "locale", "fields"
                )
            )
            locales = sorted({locale for locale, _fields in messages})
            if not locales:
                continue
            earlier = ", ".join(f"'{name}'" for name in priority[:position])
            states = ", ".join(
                f"'{state}'"
                for state in (
                    [Delivery.Status.FAILED, Delivery.Status.SENT]
                    if bounced
                    else [Delivery.Status.FAILED]
                )
            )
            placeholders = ", ".join(["%s"] * len(locales))
            id_placeholders = ", ".join(["%s"] * len(failed_ids))
            window_sql, window_params = whatsapp_window.fanout_condition(
                channel=channel,
                messages=messages,
                default_locale=campaign.default_locale,
                now=now,
            )
            window_filter = f"AND {window_sql}" if window_sql else ""
            cursor.execute(
                f"""
                INSERT INTO {table} (campaign_id, run, channel, creator_id, locale, status,
                                     variant, fallback_from, attempts, provider_message_id,
                                     error_code, error_message, created_at, updated_at)
                SELECT f.campaign_id, f.run, '{channel}', c.id,
                       CASE WHEN c.locale IN ({placeholders}) THEN c.locale ELSE %s END,
                       '{Delivery.Status.PENDING.value}', f.variant, f.id, 0, '', '', '', %s, %s
                FROM {table} f JOIN {creators_table} c ON c.id = f.creator_id
                WHERE f.id IN ({id_placeholders}) AND f.campaign_id = %s
                  AND (%s::integer IS NULL OR f.run = %s)
                  AND f.status IN ({states}) AND f.channel IN ({earlier}) AND f.step = 0
                  AND {eligible_condition(channel, transactional=campaign.transactional)}
                  {window_filter}
                  AND NOT EXISTS (SELECT 1 FROM {table} n WHERE n.fallback_from = f.id
                                  AND n.campaign_id = f.campaign_id AND n.run = f.run
                                  AND n.creator_id = f.creator_id)
                ON CONFLICT DO NOTHING
                """,
                [
                    *locales,
                    campaign.default_locale,
                    now,
                    now,
                    *failed_ids,
                    campaign.pk,
                    run,
                    run,
                    *window_params,
                ],
            )
            created += max(cursor.rowcount, 0)
    return created
