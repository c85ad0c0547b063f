"""Triggered campaigns (docs/triggers.md): a campaign that sends when a creator does something.

A trigger is `{"event": name, "where": <rules over props>, "repeat": "once" | "always" |
{"every_days": N}}` on `Campaign.trigger`. Launching a triggered campaign arms it (status
`sending`, no run); pausing, resuming and cancelling work as for any campaign.

The events app calls `triggers_route` after each batch of events commits (registered in
CampaignsConfig.ready()); it only looks up which event names armed campaigns listen to (one
cached set) and queues `trigger_events_route` with the events that may match. That task
(`trigger_events_route_run`) hands each armed campaign its events: `trigger_events_process`
keeps those whose props meet `where`, drops the ones already seen (a `TriggerMatch` per
campaign and event), keeps creators in the campaign's segment, applies the repeat rule on the
creator's `TriggerFiring` row and creates the deliveries of the ones that fire in a new run,
through the same fan-out as a launch (campaigns/fanout.py: consent, suppression, holdout,
frequency cap, quiet hours, variants). All of it in one transaction under the campaign's row
lock, so two workers never send one creator twice. The dispatchers of a triggered campaign
claim pending deliveries of every run, and render with `event` (name, props) in the context.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns import enqueue, fanout, trigger_inbox
from campaigns.exceptions import TriggerInvalid
from campaigns.lifecycle import Action, campaign_action_check
from campaigns.models import Campaign, Delivery, TriggerFiring, TriggerMatch
from segments.exceptions import SegmentRulesInvalid
from segments.props_rules import PropsNode, props_rules_match, props_rules_parse
from segments.selectors import segment_creators

logger = logging.getLogger(__name__)
Status = Campaign.Status

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
MAX_EVERY_DAYS = 3650
# The statuses in which a triggered campaign listens: armed, or paused (events then skipped).
LISTENING = (Status.SENDING, Status.PAUSED)
ARMED_NAMES_KEY = "altavoz:triggers:armed-names"
ARMED_NAMES_SECONDS = 60


@dataclass(frozen=True)
class Trigger:
    event: str
    where: PropsNode | None
    repeat: str  # "once", "always" or "every"
    every_days: int = 0


@dataclass(frozen=True)
class TriggerEvent:
    """One recorded event as the router passes it on (events.consumers.RecordedEvent)."""

    id: int
    creator_id: int
    name: str
    props: dict[str, Any]
    occurred_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "creator_id": self.creator_id,
            "name": self.name,
            "props": self.props,
            "occurred_at": self.occurred_at.isoformat(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> TriggerEvent:
        return cls(
            id=int(raw["id"]),
            creator_id=int(raw["creator_id"]),
            name=str(raw["name"]),
            props=raw.get("props") or {},
            occurred_at=datetime.fromisoformat(raw["occurred_at"]),
        )

    @classmethod
    def of(cls, event: Any) -> TriggerEvent:
        """From any object with the recorded event's attributes."""
        return cls(
            id=event.id,
            creator_id=event.creator_id,
            name=event.name,
            props=dict(event.props or {}),
            occurred_at=event.occurred_at,
        )


# --- The trigger itself --------------------------------------------------------------------------


def trigger_normalize(raw: Any) -> dict[str, Any]:
    """Check a trigger as the API and the wizard give it and return it as stored; raise
    TriggerInvalid naming the bad part (`trigger.where.all[0].op`)."""
    if not isinstance(raw, dict):
        raise TriggerInvalid("trigger", _('expected {"event": …, "where": …, "repeat": …}'))
    unknown = sorted(str(key) for key in raw if key not in ("event", "where", "repeat"))
    if unknown:
        raise TriggerInvalid(
            f"trigger.{unknown[0]}",
            _('unknown key "%(key)s": a trigger has "event", "where" and "repeat"')
            % {"key": unknown[0]},
        )
    event = raw.get("event")
    if not isinstance(event, str) or not EVENT_NAME.match(event):
        raise TriggerInvalid(
            "trigger.event",
            _("expected an event name: lower-case letters, digits and _, such as sale_made"),
        )
    where = raw.get("where") or {}
    if where:
        try:
            props_rules_parse(where)
        except SegmentRulesInvalid as error:
            path = f"trigger.where.{error.path}" if error.path else "trigger.where"
            raise TriggerInvalid(path, error.reason) from error
    repeat = raw.get("repeat", "once")
    if isinstance(repeat, dict):
        days = repeat.get("every_days")
        if (
            set(repeat) != {"every_days"}
            or isinstance(days, bool)
            or not isinstance(days, int)
            or not 1 <= days <= MAX_EVERY_DAYS
        ):
            raise TriggerInvalid(
                "trigger.repeat",
                _('expected {"every_days": N} with N a whole number from 1 to %(max)d')
                % {"max": MAX_EVERY_DAYS},
            )
        repeat = {"every_days": days}
    elif repeat not in ("once", "always"):
        raise TriggerInvalid("trigger.repeat", _('expected "once", "always" or {"every_days": N}'))
    return {"event": event, "where": where, "repeat": repeat}


def trigger_of(campaign: Campaign) -> Trigger | None:
    """The campaign's parsed trigger, or None for a campaign that is not triggered."""
    raw = campaign.trigger
    if not raw:
        return None
    where = props_rules_parse(raw["where"]) if raw.get("where") else None
    repeat = raw.get("repeat", "once")
    if isinstance(repeat, dict):
        return Trigger(raw["event"], where, "every", int(repeat["every_days"]))
    return Trigger(raw["event"], where, repeat)


@transaction.atomic
def campaign_trigger_set(
    *, campaign: Campaign, trigger: dict[str, Any] | None, actor: User | None = None
) -> Campaign:
    """Make a draft campaign triggered (or, with None, not): checked and stored."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_action_check(campaign=campaign, action=Action.EDIT_DRAFT)
    campaign.trigger = trigger_normalize(trigger) if trigger else {}
    campaign.save(update_fields=["trigger"])
    audit_record(actor=actor, action="campaign.trigger", target=campaign, detail=campaign.trigger)
    return campaign


def armed_names_forget() -> None:
    """Arming or disarming changed which events matter: routers read the set again."""
    transaction.on_commit(lambda: cache.delete(ARMED_NAMES_KEY))


def armed_event_names() -> frozenset[str]:
    """The event names some listening triggered campaign waits for (cached, shared)."""
    names = cache.get(ARMED_NAMES_KEY)
    if names is None:
        names = sorted(
            {
                raw.get("event", "")
                for raw in Campaign.objects.filter(status__in=LISTENING)
                .exclude(trigger={})
                .values_list("trigger", flat=True)
            }
        )
        cache.set(ARMED_NAMES_KEY, names, timeout=ARMED_NAMES_SECONDS)
    return frozenset(names)


# --- Routing -------------------------------------------------------------------------------------


def triggers_route(events: Sequence[Any]) -> None:
    """The events consumer (after the events' write commits): cheap, queues the work only for
    events some armed campaign listens to."""
    names = armed_event_names()
    wanted = [TriggerEvent.of(event).as_json() for event in events if event.name in names]
    if not wanted:
        return
    if trigger_inbox.inbox_push(wanted):
        enqueue.enqueue_or_leave_to_watchdog(enqueue.trigger_inbox_drain_enqueue)
    else:
        enqueue.enqueue_or_leave_to_watchdog(enqueue.trigger_events_route_enqueue, wanted)


def trigger_inbox_drain() -> int:
    """Route the trigger inbox's events in batches until it is empty (campaigns/trigger_inbox.py);
    returns how many events were routed."""
    trigger_inbox.inbox_recover()
    routed = 0
    while True:
        key, events = trigger_inbox.inbox_claim()
        if not events:
            trigger_inbox.inbox_release(key)
            return routed
        try:
            trigger_events_route_run(events=events)
        except Exception:
            trigger_inbox.inbox_return(key)
            raise
        trigger_inbox.inbox_release(key)
        routed += len(events)


def trigger_events_route_run(*, events: list[dict[str, Any]]) -> dict[str, int]:
    """Hand each listening triggered campaign the events named by its trigger."""
    parsed = [TriggerEvent.from_json(raw) for raw in events]
    names = {event.name for event in parsed}
    outcomes: Counter[str] = Counter()
    campaigns = (
        Campaign.objects.filter(status__in=LISTENING)
        .exclude(trigger={})
        .filter(trigger__event__in=sorted(names))
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    for campaign_id in campaigns:
        outcomes.update(trigger_events_process(campaign_id=campaign_id, events=parsed))
    return dict(outcomes)


@dataclass
class _Decision:
    event: TriggerEvent
    outcome: str = TriggerMatch.Outcome.SENT
    rank: int = 0  # the creator's nth firing in this batch: each rank is its own run
    run: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def trigger_events_process(
    *, campaign_id: int, events: Iterable[TriggerEvent], now: datetime | None = None
) -> dict[str, int]:
    """Match events against one campaign's trigger and send to the creators who fire.

    Returns how many matched events ended with each outcome (TriggerMatch.Outcome)."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status not in LISTENING or not campaign.trigger:
            return {}
        now = now or timezone.now()
        trigger = trigger_of(campaign)
        assert trigger is not None
        matching = [
            event
            for event in events
            if event.name == trigger.event
            and (trigger.where is None or props_rules_match(trigger.where, event.props))
        ]
        seen = set(
            TriggerMatch.objects.filter(
                campaign=campaign, event_id__in=[event.id for event in matching]
            ).values_list("event_id", flat=True)
        )
        fresh = sorted(
            {event.id: event for event in matching if event.id not in seen}.values(),
            key=lambda event: (event.occurred_at, event.id),
        )
        if not fresh:
            return {}
        decisions = [_Decision(event) for event in fresh]
        if campaign.status == Status.PAUSED:
            for decision in decisions:
                decision.outcome = TriggerMatch.Outcome.PAUSED
        else:
            _audience_filter(campaign, decisions)
            firings = _repeat_apply(campaign, trigger, decisions)
            _deliveries_create(campaign, decisions, now=now)
            TriggerFiring.objects.bulk_create(
                firings,
                update_conflicts=True,
                unique_fields=["campaign", "creator"],
                update_fields=["last_occurred_at", "fired"],
            )
        TriggerMatch.objects.bulk_create(
            [
                TriggerMatch(
                    campaign=campaign,
                    event_id=decision.event.id,
                    creator_id=decision.event.creator_id,
                    name=decision.event.name,
                    props=decision.event.props,
                    occurred_at=decision.event.occurred_at,
                    matched_at=now,
                    outcome=decision.outcome,
                    run=decision.run,
                )
                for decision in decisions
            ]
        )
        outcomes = Counter(decision.outcome for decision in decisions)
        if outcomes[TriggerMatch.Outcome.SENT]:
            transaction.on_commit(
                lambda: enqueue.enqueue_or_leave_to_watchdog(
                    enqueue.trigger_dispatch_enqueue, campaign.pk
                )
            )
    return {str(outcome): count for outcome, count in outcomes.items()}


def _audience_filter(campaign: Campaign, decisions: list[_Decision]) -> None:
    if campaign.segment is None:
        return
    ids = {decision.event.creator_id for decision in decisions}
    inside = set(
        segment_creators(campaign.segment).filter(pk__in=sorted(ids)).values_list("pk", flat=True)
    )
    for decision in decisions:
        if decision.event.creator_id not in inside:
            decision.outcome = TriggerMatch.Outcome.NOT_IN_SEGMENT


def _repeat_apply(
    campaign: Campaign, trigger: Trigger, decisions: list[_Decision]
) -> list[TriggerFiring]:
    """Decide, in event time order, which events fire under the repeat rule; returns the
    creators' firing rows as they are after this batch (the campaign's row lock is held)."""
    live = [decision for decision in decisions if decision.outcome == TriggerMatch.Outcome.SENT]
    firings = {
        firing.creator_id: firing
        for firing in TriggerFiring.objects.filter(
            campaign=campaign, creator_id__in=sorted({d.event.creator_id for d in live})
        )
    }
    ranks: Counter[int] = Counter()
    changed: dict[int, TriggerFiring] = {}
    for decision in live:
        creator_id, occurred = decision.event.creator_id, decision.event.occurred_at
        firing = firings.get(creator_id)
        fires = (
            firing is None
            or trigger.repeat == "always"
            or (
                trigger.repeat == "every"
                and occurred >= firing.last_occurred_at + timedelta(days=trigger.every_days)
            )
        )
        if not fires:
            decision.outcome = TriggerMatch.Outcome.REPEAT
            continue
        if firing is None:
            firing = firings[creator_id] = TriggerFiring(
                campaign=campaign, creator_id=creator_id, last_occurred_at=occurred, fired=0
            )
        firing.last_occurred_at = max(firing.last_occurred_at, occurred)
        firing.fired += 1
        changed[creator_id] = firing
        decision.rank = ranks[creator_id]
        ranks[creator_id] += 1
    return list(changed.values())


def _deliveries_create(campaign: Campaign, decisions: list[_Decision], *, now: datetime) -> None:
    """One run per rank (a creator firing twice in one batch gets two runs), created by the
    campaign's own fan-out over just these creators."""
    by_rank: dict[int, list[_Decision]] = defaultdict(list)
    for decision in decisions:
        if decision.outcome == TriggerMatch.Outcome.SENT:
            by_rank[decision.rank].append(decision)
    for rank in sorted(by_rank):
        group = by_rank[rank]
        campaign.last_run += 1
        run = campaign.last_run
        Campaign.objects.filter(pk=campaign.pk).update(last_run=run)
        ids = sorted({decision.event.creator_id for decision in group})
        fanout.deliveries_create(
            campaign=campaign, run=run, now=now, audience=("SELECT unnest(%s::bigint[])", (ids,))
        )
        reached = set(
            Delivery.objects.filter(campaign=campaign, run=run, creator_id__in=ids).values_list(
                "creator_id", flat=True
            )
        )
        for decision in group:
            if decision.event.creator_id in reached:
                decision.run = run
            else:
                decision.outcome = TriggerMatch.Outcome.NOT_REACHABLE


# --- Sending -------------------------------------------------------------------------------------


def trigger_event_contexts(
    *, campaign_id: int, keys: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], dict[str, Any]]:
    """The `event` template value of each (run, creator) a triggered campaign sends to."""
    keys = set(keys)
    runs = sorted({run for run, _creator in keys})
    creators = sorted({creator for _run, creator in keys})
    found: dict[tuple[int, int], dict[str, Any]] = {}
    for run, creator_id, name, props, occurred_at in TriggerMatch.objects.filter(
        campaign_id=campaign_id, run__in=runs, creator_id__in=creators
    ).values_list("run", "creator_id", "name", "props", "occurred_at"):
        if (run, creator_id) in keys:
            found[(run, creator_id)] = {"name": name, "props": props, "occurred_at": occurred_at}
    return found
