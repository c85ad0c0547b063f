"""Sequences: follow-up steps of a campaign, each sent to the creators its condition selects
(docs/sequences.md).

A creator enters the sequence with the campaign's own send (a step-0 delivery of the run that
is not a holdout). When a step's time comes its audience is ONE set-based query over the
run's deliveries of the steps already executed (step 0 and earlier steps), their first
open / click, the program's enrolments and the creators' consent; it fans out through
`fanout.deliveries_create`, so quiet hours, caps, reachability and the unique delivery key
apply unchanged. A `SequenceStepRun` row, inserted first in the same transaction with ON
CONFLICT DO NOTHING, makes a second execution (a retried task, two beat ticks) a no-op.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import enqueue, fanout, services
from campaigns.approvals import approval_reset
from campaigns.exceptions import CampaignIncomplete, MessageInvalid, StepMessagesInvalid
from campaigns.lifecycle import campaign_transition
from campaigns.models import (
    Campaign,
    CampaignTransition,
    Delivery,
    Message,
    SequenceStep,
    SequenceStepRun,
)
from campaigns.sequence_conditions import (
    enrolled_creator_ids,
    enrolled_sql,
    replied_sql,
    step_replied_sql,
)
from common.system_messages import SystemMessage, system_messages_define
from creators.models import CONSENT_FIELDS, ConsentStatus, Creator
from segments.rules import rules_compile

logger = logging.getLogger(__name__)

Condition = SequenceStep.Condition

system_messages_define(
    {"campaign.sequence_reopened": gettext_lazy("Reopened: a follow-up step was added")}
)


def steps_live(*, campaign: Campaign) -> list[SequenceStep]:
    """The campaign's steps that may still send, in order."""
    return list(
        SequenceStep.objects.filter(campaign=campaign, removed=False).order_by("position", "id")
    )


def _executed(*, campaign: Campaign, run: int) -> list[SequenceStepRun]:
    return list(
        SequenceStepRun.objects.filter(campaign=campaign, run=run).order_by("executed_at", "id")
    )


def _opened(now_param: str = "%s") -> str:
    # A click is an open too: WhatsApp and push report clicks without a tracked open.
    return f"(d.first_opened_at <= {now_param} OR d.first_clicked_at <= {now_param})"


def exit_sql(*, campaign: Campaign, alias: str = "d") -> str:
    """SQL true for a creator (`{alias}.creator_id`) who meets the campaign's exit rule now.
    'clicked' is checked on the aggregated deliveries by the caller (`clicked_any`)."""
    parts = []
    rule = set(campaign.sequence_exit or [])
    if "enrolled" in rule:
        parts.append(enrolled_sql(campaign=campaign, alias=alias))
    if "replied" in rule:
        parts.append(replied_sql(campaign=campaign, alias=alias))
    if "unsubscribed" in rule:
        denied = " OR ".join(
            f"x.{field} = '{ConsentStatus.DENIED.value}'" for field in CONSENT_FIELDS.values()
        )
        parts.append(
            f"EXISTS (SELECT 1 FROM {Creator._meta.db_table} x "
            f"WHERE x.id = {alias}.creator_id AND ({denied}))"
        )
    return " OR ".join(parts) or "FALSE"


def step_audience_sql(
    *, step: SequenceStep, run: int, now: datetime, earlier: list[int] | None = None
) -> tuple[str, tuple]:
    """SQL selecting the ids of the creators `step` goes to in `run` at `now`: they entered the
    sequence, match the condition over the deliveries of the steps executed before it
    (`earlier`: their ids; default those recorded for the run) and have not exited."""
    campaign = step.campaign
    if earlier is None:
        earlier = [
            row.step_id for row in _executed(campaign=campaign, run=run) if row.step_id != step.pk
        ]
    steps = ", ".join(str(int(value)) for value in [0, *earlier])
    adapt = connection.ops.adapt_datetimefield_value
    at = adapt(now)
    opened_any = f"bool_or({_opened()})"
    clicked_any = "bool_or(d.first_clicked_at <= %s)"
    having = [f"bool_or(d.step = 0 AND d.status <> '{Delivery.Status.HOLDOUT.value}')"]
    params: list = []
    where, where_params = [], []
    if step.condition == Condition.OPENED:
        having.append(f"COALESCE({opened_any}, FALSE)")
        params += [at, at]
    elif step.condition == Condition.CLICKED:
        having.append(f"COALESCE({clicked_any}, FALSE)")
        params += [at]
    elif step.condition == Condition.NOT_OPENED:
        having.append(f"NOT COALESCE({opened_any}, FALSE)")
        params += [at, at]
    elif step.condition == Condition.NOT_CLICKED:
        having.append(f"NOT COALESCE({clicked_any}, FALSE)")
        params += [at]
    elif step.condition == Condition.OPENED_NOT_CLICKED:
        having.append(f"COALESCE({opened_any}, FALSE) AND NOT COALESCE({clicked_any}, FALSE)")
        params += [at, at, at]
    elif step.condition == Condition.NOT_ENROLLED:
        where.append(f"NOT {enrolled_sql(campaign=campaign)}")
    elif step.condition in (Condition.REPLIED, Condition.NOT_REPLIED):
        # The previous step: the last one executed before this one (the campaign's own send
        # when none was). Its WhatsApp message answered before `now`, keywords aside.
        previous = earlier[-1] if earlier else 0
        replied, slots = step_replied_sql(campaign=campaign, run=run, step=previous)
        where.append(replied if step.condition == Condition.REPLIED else f"NOT {replied}")
        where_params += [at] * slots
    elif step.condition == Condition.SEGMENT:
        rule_sql, rule_params = (
            Creator.objects.filter(rules_compile(step.rules, now=now, lenient=True))
            .order_by()
            .values("id")
            .query.sql_with_params()
        )
        where.append(f"d.creator_id IN ({rule_sql})")
        where_params += list(rule_params)
    if "clicked" in (campaign.sequence_exit or []):
        having.append(f"NOT COALESCE({clicked_any}, FALSE)")
        params += [at]
    where.append(f"NOT ({exit_sql(campaign=campaign)})")
    table = Delivery._meta.db_table
    sql = (
        f"SELECT d.creator_id FROM {table} d"
        f" WHERE d.campaign_id = {int(campaign.pk)} AND d.run = {int(run)} AND d.step IN ({steps})"
        f" AND {' AND '.join(where)}"
        f" GROUP BY d.creator_id HAVING {' AND '.join(having)}"
    )
    return sql, (*where_params, *params)


def step_audience_count(*, step: SequenceStep, run: int, now: datetime) -> int:
    sql, params = step_audience_sql(step=step, run=run, now=now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) a", params)
        return cursor.fetchone()[0]


def step_preview_count(*, step: SequenceStep, now: datetime | None = None) -> int:
    """How many creators the step would reach now, over the campaign's latest run (every
    other live step before it counted as executed). Before the first launch nobody has opened
    or clicked yet: the segment's creators reachable on the step's channel, through the
    condition."""
    campaign = step.campaign
    now = now or timezone.now()
    if not campaign.last_run:
        return _draft_preview_count(step=step, now=now)
    earlier = [
        other.pk for other in steps_live(campaign=campaign) if other.position < step.position
    ]
    sql, params = step_audience_sql(step=step, run=campaign.last_run, now=now, earlier=earlier)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) a", params)
        return cursor.fetchone()[0]


def _preview_key(step: SequenceStep) -> str:
    """The cache key of a step's preview count: the step, what decides its audience (its
    channel, condition, rule, the live steps before it), the campaign's run and segment."""
    campaign = step.campaign
    segment = campaign.segment
    earlier = [
        other.pk for other in steps_live(campaign=campaign) if other.position < step.position
    ]
    what = json.dumps(
        [
            step.channel,
            step.condition,
            step.rules,
            step.removed,
            earlier,
            campaign.last_run,
            campaign.segment_id,
            segment.updated_at.isoformat() if segment is not None else "",
            fanout.eligible_condition(step.channel, transactional=False),
        ],
        sort_keys=True,
        default=str,
    )
    return f"campaigns:step-reach:{step.pk}:{hashlib.sha256(what.encode()).hexdigest()[:16]}"


def step_preview_count_cached(*, step: SequenceStep) -> int:
    """`step_preview_count`, reused for REACH_COUNT_CACHE_SECONDS: at a million deliveries it
    takes over a second, so the sequence page loads it lazily (docs/sequences.md)."""
    key = _preview_key(step)
    count = cache.get(key)
    if count is None:
        count = step_preview_count(step=step)
        cache.set(key, count, settings.REACH_COUNT_CACHE_SECONDS)
    return count


def step_preview_count_if_cached(*, step: SequenceStep) -> int | None:
    """The step's preview count if it is in the cache, else None (the page loads it)."""
    return cache.get(_preview_key(step))


def _draft_preview_count(*, step: SequenceStep, now: datetime) -> int:
    from segments.selectors import segment_creators

    campaign = step.campaign
    if campaign.segment is None or step.condition in (
        Condition.OPENED,
        Condition.CLICKED,
        Condition.OPENED_NOT_CLICKED,
        Condition.REPLIED,
    ):
        return 0
    reachable = RawSQL(
        f"SELECT c.id FROM {Creator._meta.db_table} c"
        f" WHERE {fanout.reachable_condition(step.channel)}",
        [],
    )
    creators = segment_creators(campaign.segment, now=now).filter(pk__in=reachable)
    if step.condition == Condition.SEGMENT:
        creators = creators.filter(rules_compile(step.rules, now=now, lenient=True))
    if step.condition == Condition.NOT_ENROLLED:
        enrolled = enrolled_creator_ids(campaign=campaign)
        if enrolled is not None:
            creators = creators.exclude(pk__in=enrolled)
    return creators.count()


@dataclass(frozen=True)
class DueStep:
    step: SequenceStep
    run: int
    due_at: datetime


def step_next(*, campaign: Campaign, run: int) -> DueStep | None:
    """The run's next step to execute and when it is due (the previous step's execution, or the
    launch, plus its wait), or None when every live step has been executed."""
    executed = _executed(campaign=campaign, run=run)
    done = {row.step_id for row in executed}
    pending = [step for step in steps_live(campaign=campaign) if step.pk not in done]
    if not pending:
        return None
    anchor = executed[-1].executed_at if executed else campaign.launched_at
    if anchor is None:
        return None
    step = pending[0]
    return DueStep(step, run, anchor + timedelta(minutes=step.wait_minutes))


def steps_due(*, now: datetime) -> list[DueStep]:
    """The steps whose time has come, one per sending campaign at most."""
    due = []
    campaigns = Campaign.objects.filter(
        status=Campaign.Status.SENDING, sequence_steps__removed=False
    ).distinct()
    for campaign in campaigns:
        upcoming = step_next(campaign=campaign, run=campaign.last_run)
        if upcoming is not None and upcoming.due_at <= now:
            due.append(upcoming)
    return due


def step_execute(*, step: SequenceStep, run: int, now: datetime | None = None) -> int | None:
    """Fan the step out for the run; returns the deliveries created, or None if the step had
    already been executed for the run (or was removed). The marker and the deliveries commit
    together: a crash in between leaves neither, and the next tick executes the step again."""
    now = now or timezone.now()
    table = SequenceStepRun._meta.db_table
    with transaction.atomic():
        step = SequenceStep.objects.select_related("campaign").get(pk=step.pk)
        campaign = step.campaign
        # A removed step never sends; a task for an older run or a stopped campaign is stale.
        if step.removed or campaign.last_run != run or campaign.status != Campaign.Status.SENDING:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, run, step_id, executed_at, created)"
                " VALUES (%s, %s, %s, %s, 0) ON CONFLICT (step_id, run) DO NOTHING RETURNING id",
                [step.campaign_id, run, step.pk, connection.ops.adapt_datetimefield_value(now)],
            )
            marker = cursor.fetchone()
        if marker is None:
            return None
        audience = step_audience_sql(step=step, run=run, now=now)
        created = fanout.deliveries_create(
            campaign=step.campaign, run=run, now=now, step=step, audience=audience
        )
        SequenceStepRun.objects.filter(pk=marker[0]).update(created=created)
    logger.info(
        "campaign %s run %s step %s: %s deliveries", step.campaign_id, run, step.pk, created
    )
    return created


def entrants_add(*, campaign: Campaign, now: datetime | None = None) -> int:
    """Late entrants: creators who started matching the campaign's dynamic segment since the
    launch get the campaign's own send now, and so enter the sequence for its later steps.
    The same fan-out as the launch: its unique key lets each creator in once per run."""
    from segments.models import Segment

    if (
        campaign.status != Campaign.Status.SENDING
        or _finished_once(campaign=campaign)
        or campaign.segment is None
        or campaign.segment.kind != Segment.Kind.DYNAMIC
        or campaign.test_percent
        or not steps_pending(campaign=campaign)
    ):
        return 0
    return fanout.deliveries_create(campaign=campaign, run=campaign.last_run, now=now)


def _finished_once(*, campaign: Campaign) -> bool:
    """The latest run finished once (its campaign was reopened for a step added after): the
    sequence's cohort is closed."""
    if campaign.launched_at is None:
        return False
    return CampaignTransition.objects.filter(
        campaign=campaign,
        from_status=Campaign.Status.SENDING,
        to_status=Campaign.Status.SENT,
        at__gte=campaign.launched_at,
    ).exists()


def step_run(*, step: SequenceStep, run: int, now: datetime) -> int | None:
    """Execute the step for the run (`step_execute`) and start the dispatchers if it created
    deliveries."""
    created = step_execute(step=step, run=run, now=now)
    if created:
        enqueue.campaign_dispatch_start(step.campaign_id)
    return created


def steps_due_run(*, now: datetime) -> int:
    """Execute every step whose time has come (beat, every minute); returns how many ran."""
    executed = 0
    for due in steps_due(now=now):
        executed += step_run(step=due.step, run=due.run, now=now) is not None
    return executed


def entrants_run(*, now: datetime) -> int:
    """Let late entrants into every running sequence (`entrants_add`) and start the
    dispatchers where some came in; returns how many came in."""
    added = 0
    campaigns = Campaign.objects.filter(
        status=Campaign.Status.SENDING, sequence_steps__removed=False
    ).distinct()
    for campaign in campaigns.select_related("segment"):
        created = entrants_add(campaign=campaign, now=now)
        if created:
            logger.info("campaign %s: %s late entrants", campaign.pk, created)
            enqueue.campaign_dispatch_start(campaign.pk)
        added += created
    return added


def steps_pending(*, campaign: Campaign) -> bool:
    """True while a live step of the latest run has not been executed (the run is not over)."""
    return step_next(campaign=campaign, run=campaign.last_run) is not None


def _editable(step: SequenceStep) -> None:
    """A step is read-only once executed (its deliveries exist, maybe still being sent); a
    cancelled campaign's sequence is over. A sent campaign may still get steps: see
    `sequence_step_save`."""
    if step.pk and SequenceStepRun.objects.filter(step=step).exists():
        raise CampaignIncomplete(_("This step has already been sent; add a new step instead."))
    if step.campaign.status == Campaign.Status.CANCELLED:
        raise CampaignIncomplete(_("The campaign is over; its sequence can no longer change."))


def step_messages_validate(*, channel: str, messages: list[dict]) -> None:
    """Check every language's message of a step before anything is saved: one
    `StepMessagesInvalid` lists each language's problems (field, line, cause)."""
    problems: dict[str, list[dict]] = {}
    for message in messages:
        fields = {key: value for key, value in message.items() if key != "locale"}
        try:
            services.message_fields_validate(
                channel=channel, locale=message["locale"], fields=fields
            )
        except MessageInvalid as error:
            problems[message["locale"]] = error.errors
    if problems:
        raise StepMessagesInvalid(problems)


def _campaign_reopen(*, campaign: Campaign, actor: User | None) -> None:
    """A finished one-off campaign gets a step added: back to `sending` so beat runs the step
    for the creators still in the sequence; it finishes again once the step is sent."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.SENT or not campaign.last_run:
        return
    campaign_transition(
        campaign=campaign,
        to_status=Campaign.Status.SENDING,
        actor=actor,
        note=SystemMessage("campaign.sequence_reopened"),
    )
    campaign.finished_at = None
    campaign.save(update_fields=["status", "finished_at"])


@transaction.atomic
def sequence_step_save(
    *,
    campaign: Campaign,
    channel: str,
    wait_minutes: int,
    messages: list[dict],
    local_time=None,
    condition: str = Condition.ALL,
    rules: dict | None = None,
    step: SequenceStep | None = None,
    actor: User | None = None,
) -> SequenceStep:
    """Add a step at the end (or change `step`, if not executed yet) with its messages, one
    {"locale": …, **fields} per language, checked as any campaign message; a language left
    out of `messages` loses its message (the default language's is required).

    Steps may be added, changed and removed before and after the campaign's own send, until
    each is executed. The creators waiting for a step are never pinned to an older version:
    its audience, condition and wait are read when it runs, so what is saved applies to all
    of them. Its wait counts from the previous step's execution (the launch for the first);
    when that moment has already passed the step runs at beat's next tick. A step added to a
    sent campaign reopens it (`sending`) for the creators who entered with its send and have
    not exited; late entrants are not let in after the run has finished once."""
    if condition == Condition.SEGMENT:
        rules_compile(rules or {})
    if step is None:
        last = SequenceStep.objects.filter(campaign=campaign).order_by("-position").first()
        step = SequenceStep(campaign=campaign, position=(last.position + 1) if last else 1)
    step.campaign = campaign
    _editable(step)
    if not any(message["locale"] == campaign.default_locale for message in messages):
        raise CampaignIncomplete(
            _("A step needs a message in the campaign's default language (%(locale)s).")
            % {"locale": campaign.default_locale}
        )
    step_messages_validate(channel=channel, messages=messages)
    step.channel, step.wait_minutes, step.local_time = channel, wait_minutes, local_time
    step.condition, step.rules = condition, rules or {}
    step.save()
    locales = []
    for message in messages:
        fields = {key: value for key, value in message.items() if key != "locale"}
        locales.append(message["locale"])
        Message.objects.update_or_create(
            campaign=campaign,
            channel=channel,
            locale=message["locale"],
            variant="",
            step=step.pk,
            defaults={"fields": fields, "updated_at": timezone.now()},
        )
    # A changed channel or a language emptied: the step's other messages go.
    Message.objects.filter(campaign=campaign, step=step.pk).exclude(
        channel=channel, locale__in=locales
    ).delete()
    if not campaign.last_run:
        approval_reset(campaign=campaign)
    _campaign_reopen(campaign=campaign, actor=actor)
    return step


@transaction.atomic
def sequence_step_remove(*, step: SequenceStep) -> None:
    """A removed step never sends (kept, so what it sent stays explained); an executed step
    stays (it is part of what the creators got)."""
    _editable(step)
    step.removed = True
    step.save(update_fields=["removed"])


@transaction.atomic
def sequence_step_move(*, step: SequenceStep, offset: int) -> None:
    """Swap the step with its live neighbour before (-1) or after (+1); executed steps stay put."""
    steps = steps_live(campaign=step.campaign)
    index = next(i for i, other in enumerate(steps) if other.pk == step.pk)
    other_index = index + offset
    if not 0 <= other_index < len(steps):
        return
    other = steps[other_index]
    _editable(step)
    _editable(other)
    step.position, other.position = other.position, step.position
    if step.position == other.position:
        step.position += offset
    SequenceStep.objects.bulk_update([step, other], ["position"])


@transaction.atomic
def sequence_exit_set(*, campaign: Campaign, exit_rule: list[str]) -> Campaign:
    campaign.sequence_exit = [name for name in SequenceStep.EXITS if name in exit_rule]
    campaign.save(update_fields=["sequence_exit"])
    return campaign


@dataclass
class StepFlow:
    """One row of the flow view: step 0 is the campaign's own send."""

    step_id: int
    label: str
    entered: int = 0
    waiting: int = 0
    sent: int = 0
    opened: int = 0
    clicked: int = 0
    exited: int = 0
    step: SequenceStep | None = None  # None: the campaign's own send
    executed: bool = False  # the step ran for the run (its deliveries exist)
    due_at: datetime | None = None  # the next step to run: when it is due

    @property
    def open_rate(self) -> float:
        return self.opened / self.sent if self.sent else 0.0

    @property
    def click_rate(self) -> float:
        return self.clicked / self.sent if self.sent else 0.0

    @property
    def open_percent(self) -> float:
        return round(self.open_rate * 100, 1)

    @property
    def click_percent(self) -> float:
        return round(self.click_rate * 100, 1)


WAITING_STATES = (Delivery.Status.PENDING, Delivery.Status.CLAIMED, Delivery.Status.SENDING)


def sequence_flow_get(*, campaign: Campaign, run: int | None = None) -> list[StepFlow]:
    """Per step of the run, in ONE grouped query over its deliveries: creators who entered
    (got a delivery of the step other than a holdout), are waiting (not sent yet), were sent
    it, opened, clicked, and exited (their last step so far, and they now meet the exit rule)."""
    run = run if run is not None else campaign.last_run
    steps = SequenceStep.objects.filter(campaign=campaign).order_by("position", "id")
    flows = {0: StepFlow(0, "0", executed=bool(run))}
    order = {0: 0}
    executed = set(
        SequenceStepRun.objects.filter(campaign=campaign, run=run).values_list("step_id", flat=True)
    )
    for number, step in enumerate(steps, start=1):
        flows[step.pk] = StepFlow(step.pk, str(number), step=step, executed=step.pk in executed)
        order[step.pk] = number
    if campaign.status == Campaign.Status.SENDING and run:
        upcoming = step_next(campaign=campaign, run=run)
        if upcoming is not None and upcoming.step.pk in flows:
            flows[upcoming.step.pk].due_at = upcoming.due_at
    if not run:
        return list(flows.values())
    ordinal = " ".join(f"WHEN {int(pk)} THEN {number}" for pk, number in order.items())
    clicked = (
        "bool_or(d.first_clicked_at IS NOT NULL) OVER (PARTITION BY d.creator_id)"
        if "clicked" in (campaign.sequence_exit or [])
        else "FALSE"
    )
    table = Delivery._meta.db_table
    waiting = ", ".join(f"'{state.value}'" for state in WAITING_STATES)
    holdout, sent = Delivery.Status.HOLDOUT.value, Delivery.Status.SENT.value
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT f.step,
                   COUNT(DISTINCT f.creator_id) FILTER (WHERE f.status <> '{holdout}'),
                   COUNT(DISTINCT f.creator_id) FILTER (WHERE f.status IN ({waiting})),
                   COUNT(DISTINCT f.creator_id) FILTER (WHERE f.status = '{sent}'),
                   COUNT(DISTINCT f.creator_id) FILTER (WHERE f.opened),
                   COUNT(DISTINCT f.creator_id) FILTER (WHERE f.clicked),
                   COUNT(DISTINCT f.creator_id) FILTER (
                       WHERE f.status <> '{holdout}' AND f.ordinal = f.last AND f.exited)
            FROM (
                SELECT d.step, d.creator_id, d.status,
                       d.first_opened_at IS NOT NULL OR d.first_clicked_at IS NOT NULL AS opened,
                       d.first_clicked_at IS NOT NULL AS clicked,
                       CASE d.step {ordinal} ELSE 0 END AS ordinal,
                       MAX(CASE d.step {ordinal} ELSE 0 END) OVER (PARTITION BY d.creator_id)
                           AS last,
                       ({clicked}) OR ({exit_sql(campaign=campaign)}) AS exited
                FROM {table} d WHERE d.campaign_id = %s AND d.run = %s
            ) f
            GROUP BY f.step
            """,
            [campaign.pk, run],
        )
        for step_id, *figures in cursor.fetchall():
            flow = flows.setdefault(step_id, StepFlow(step_id, "?"))
            (flow.entered, flow.waiting, flow.sent, flow.opened, flow.clicked, flow.exited) = (
                figures
            )
    return list(flows.values())
