"""The flow view's per-step counts equal a recount from the deliveries and the events."""

from collections import defaultdict
from datetime import timedelta

from campaigns import sequences, tasks
from campaigns.models import Delivery, SequenceStep
from creators.models import Creator
from tests.campaigns.sequence_rig import (
    LAUNCH,
    campaign_with_creators,
    click_record,
    hours,
    launch,
    open_record,
    send_all,
    step_messages,
)
from tracking.models import Event

HUMAN_KINDS = (Event.Kind.OPENED, Event.Kind.READ, Event.Kind.CLICKED)


def _recount(campaign, step_order: dict[int, int]) -> dict[int, tuple[int, ...]]:
    deliveries = list(Delivery.objects.filter(campaign=campaign, run=campaign.last_run))
    human = defaultdict(set)
    for delivery_id, kind in Event.objects.filter(
        campaign=campaign, kind__in=HUMAN_KINDS, automated_reason=""
    ).values_list("delivery_id", "kind"):
        human[delivery_id].add(kind)
    last: defaultdict[int, int] = defaultdict(int)
    clicked_any = set()
    for d in deliveries:
        last[d.creator_id] = max(last[d.creator_id], step_order[d.step])
        if Event.Kind.CLICKED in human[d.id]:
            clicked_any.add(d.creator_id)
    denied = set(Creator.objects.filter(consent_email="denied").values_list("pk", flat=True)) | set(
        Creator.objects.filter(consent_push="denied").values_list("pk", flat=True)
    )
    counts: dict[int, tuple[int, ...]] = {}
    for step, number in step_order.items():
        rows = [d for d in deliveries if d.step == step]
        counts[step] = (
            len({d.creator_id for d in rows if d.status != Delivery.Status.HOLDOUT}),
            len({d.creator_id for d in rows if d.status in sequences.WAITING_STATES}),
            len({d.creator_id for d in rows if d.status == Delivery.Status.SENT}),
            len({d.creator_id for d in rows if human[d.id]}),
            len({d.creator_id for d in rows if Event.Kind.CLICKED in human[d.id]}),
            len(
                {
                    d.creator_id
                    for d in rows
                    if d.status != Delivery.Status.HOLDOUT
                    and last[d.creator_id] == number
                    and (d.creator_id in clicked_any or d.creator_id in denied)
                }
            ),
        )
    return counts


def test_flow_counts_equal_a_recount(transactional_db, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, index = campaign_with_creators(300)
    campaign.sequence_exit = ["clicked", "unsubscribed"]
    campaign.holdout_percent = 10
    campaign.save(update_fields=["sequence_exit", "holdout_percent"])
    first = sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=60,
        condition=SequenceStep.Condition.NOT_CLICKED,
        messages=step_messages("Uno"),
    )
    second = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=60, messages=step_messages("Dos")
    )
    launch(campaign)
    send_all(campaign)
    for delivery in Delivery.objects.filter(campaign=campaign, status=Delivery.Status.SENT):
        i = index[delivery.creator_id]
        if i % 4 == 0:
            open_record(delivery, LAUNCH + hours(0.5))
        if i % 6 == 0:
            click_record(delivery, LAUNCH + hours(0.6))
    Creator.objects.filter(pk__in=[pk for pk, i in index.items() if i % 25 == 3]).update(
        consent_email="denied"
    )
    assert tasks.sequence_steps_due((LAUNCH + hours(1)).isoformat()) == 1
    send_all(campaign)
    for delivery in Delivery.objects.filter(campaign=campaign, step=first.pk):
        if index[delivery.creator_id] % 5 == 0:
            click_record(delivery, LAUNCH + hours(1.5))
    # The second step is fanned out but not sent: its deliveries are waiting.
    assert tasks.sequence_steps_due((LAUNCH + timedelta(hours=2)).isoformat()) == 1

    flow = sequences.sequence_flow_get(campaign=campaign)

    shown = {
        row.step_id: (row.entered, row.waiting, row.sent, row.opened, row.clicked, row.exited)
        for row in flow
    }
    assert shown == _recount(campaign, {0: 0, first.pk: 1, second.pk: 2})
    assert [row.label for row in flow] == ["0", "1", "2"]
    assert shown[second.pk][1] == shown[second.pk][0] > 0  # all waiting
    assert all(value > 0 for value in shown[0][:1] + shown[0][2:])
    assert shown[first.pk][4] > 0 and shown[first.pk][5] > 0
