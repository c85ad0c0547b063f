"""Triggered campaigns: which events send, to whom, how often; each match recorded with its
outcome. The events are handed over as the router does; the sends go through the campaign's
own fan-out and a real dispatcher (inbox: no provider in between)."""

import threading
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from django.db import connection

from campaigns import dispatch, services, triggers
from campaigns.exceptions import TriggerInvalid
from campaigns.models import Campaign, Delivery, TriggerMatch
from campaigns.selectors import trigger_outcome_counts
from channels.models import InboxMessage
from creators.models import Creator
from tests.support.factories import campaign_make, creators_make

DAY0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
INBOX = [
    {
        "channel": "inbox",
        "locale": "es-MX",
        "title": "Gracias por tu venta",
        "body": "{{ creator.first_name }}: vendiste {{ event.props.amount }} ({{ event.name }})",
    }
]
_ids = count(1)


def _event(
    creator: Creator, *, amount: int = 150, at: datetime = DAY0, event_id=None, name="sale_made"
):
    return triggers.TriggerEvent(
        id=event_id or next(_ids),
        creator_id=creator.pk,
        name=name,
        props={"amount": amount},
        occurred_at=at,
    )


def _armed(*, repeat="once", where=None, rules=None) -> Campaign:
    campaign = campaign_make(messages=INBOX, rules=rules)
    triggers.campaign_trigger_set(
        campaign=campaign,
        trigger={"event": "sale_made", "where": where or {}, "repeat": repeat},
    )
    return services.campaign_launch(campaign=campaign)


def _process(campaign: Campaign, *events) -> dict[str, int]:
    return triggers.trigger_events_process(campaign_id=campaign.pk, events=list(events))


def test_matching_event_sends_with_event_in_context_and_same_event_sends_nothing_more(
    transactional_db,
):
    ana, _other = creators_make(2)
    campaign = _armed(where={"field": "amount", "op": "gte", "value": 100})
    assert campaign.status == Campaign.Status.SENDING and campaign.last_run == 0

    sale = _event(ana, amount=180)
    assert _process(campaign, sale, _event(ana, amount=20)) == {"sent": 1}
    dispatch.campaign_dispatch(campaign_id=campaign.pk)
    message = InboxMessage.objects.get()
    assert message.creator == ana
    assert message.body == f"{ana.name.split()[0]}: vendiste 180 (sale_made)"

    # The same event again (a retried task, a replay): nothing more.
    assert _process(campaign, sale) == {}
    dispatch.campaign_dispatch(campaign_id=campaign.pk)
    assert InboxMessage.objects.count() == 1
    assert trigger_outcome_counts(campaign=campaign) == {"matched": 1, "sent": 1}
    # The run stays armed: a triggered campaign never finishes on its own.
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING


def test_once_per_seven_days_holds_across_a_simulated_week(transactional_db):
    (ana,) = creators_make(1)
    campaign = _armed(repeat={"every_days": 7})
    outcomes = [
        _process(campaign, _event(ana, at=DAY0 + timedelta(days=day)))
        for day in (0, 1, 3, 6, 7, 8, 13, 14)
    ]
    assert outcomes == [
        {"sent": 1},
        {"repeat": 1},
        {"repeat": 1},
        {"repeat": 1},
        {"sent": 1},  # day 7: a week after the first send
        {"repeat": 1},
        {"repeat": 1},
        {"sent": 1},  # day 14: a week after the second
    ]
    assert Delivery.objects.filter(campaign=campaign, creator=ana).count() == 3
    dispatch.campaign_dispatch(campaign_id=campaign.pk)
    assert InboxMessage.objects.filter(creator=ana).count() == 3


def test_once_ever_and_every_time(transactional_db):
    (ana,) = creators_make(1)
    once = _armed(repeat="once")
    always = _armed(repeat="always")
    events = [_event(ana, at=DAY0 + timedelta(days=day)) for day in (0, 30, 400)]
    assert _process(once, *events) == {"sent": 1, "repeat": 2}
    # Two events of one creator in one batch each get their own run.
    assert _process(always, *events) == {"sent": 3}
    assert Delivery.objects.filter(campaign=always).values("run").distinct().count() == 3
    dispatch.campaign_dispatch(campaign_id=always.pk)
    assert InboxMessage.objects.filter(delivery__campaign=always).count() == 3


def test_creators_outside_the_segment_or_unreachable_are_skipped_by_reason(db):
    ana, bea, cris = creators_make(3)
    Creator.objects.filter(pk=cris.pk).update(consent_inbox="denied")
    campaign = _armed(
        rules={"all": [{"field": "handle", "op": "in", "value": [ana.handle, cris.handle]}]}
    )
    assert _process(campaign, _event(ana), _event(bea), _event(cris)) == {
        "sent": 1,
        "not_in_segment": 1,
        "not_reachable": 1,
    }
    assert dict(TriggerMatch.objects.values_list("creator__handle", "outcome")) == {
        ana.handle: "sent",
        bea.handle: "not_in_segment",
        cris.handle: "not_reachable",
    }


def test_paused_campaign_skips_events_and_cancelled_one_ignores_them(db):
    ana, bea = creators_make(2)
    campaign = _armed()
    services.campaign_pause(campaign=campaign)
    assert _process(campaign, _event(ana)) == {"paused": 1}
    services.campaign_resume(campaign=Campaign.objects.get(pk=campaign.pk))
    assert _process(campaign, _event(ana)) == {"sent": 1}
    services.campaign_cancel(campaign=Campaign.objects.get(pk=campaign.pk))
    assert _process(campaign, _event(bea)) == {}
    assert not Delivery.objects.filter(creator=bea).exists()


def test_two_workers_with_events_of_one_creator_send_once(transactional_db):
    (ana,) = creators_make(1)
    campaign = _armed(repeat="once")
    barrier = threading.Barrier(4)
    results: list[dict[str, int]] = []

    def work(event) -> None:
        try:
            barrier.wait()
            results.append(_process(campaign, event))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(_event(ana),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == sorted([{"sent": 1}] + [{"repeat": 1}] * 3, key=str)
    assert Delivery.objects.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize(
    ("trigger", "path"),
    [
        ({"event": "Sale Made"}, "trigger.event"),
        ({"event": "sale_made", "repeat": "twice"}, "trigger.repeat"),
        ({"event": "sale_made", "repeat": {"every_days": 0}}, "trigger.repeat"),
        (
            {"event": "sale_made", "where": {"field": "amount", "op": "near", "value": 1}},
            "trigger.where.op",
        ),
        ({"event": "sale_made", "when": "now"}, "trigger.when"),
    ],
)
def test_bad_triggers_are_refused_with_their_path(trigger, path):
    with pytest.raises(TriggerInvalid) as refused:
        triggers.trigger_normalize(trigger)
    assert refused.value.path == path
