"""A recurring campaign's firings: each is recorded with what came of it. One that comes
while the previous run is open is queued (and starts when that run finishes) or skipped with
the reason, as the campaign says; none is ignored without a trace."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.urls import reverse

from campaigns import runs, services, tasks
from campaigns.models import Campaign, CampaignFiring, Delivery
from tests.campaigns.outbox import delivery_ids_received
from tests.support.factories import campaign_make, creators_make

NEVER = {"minute": "0", "hour": "3", "day_of_month": "1", "month_of_year": "1", "day_of_week": "*"}
Outcome, Reason = CampaignFiring.Outcome, CampaignFiring.Reason


def recurring(busy_firing: str, channels: tuple[str, ...] = ("inbox",)) -> Campaign:
    """A recurring campaign; its crontab never comes during a test: the test fires it."""
    campaign = campaign_make(channels=channels)
    services.campaign_policies_set(campaign=campaign, busy_firing=busy_firing)
    return services.campaign_schedule(campaign=campaign, crontab=NEVER)


def deliveries_settle(campaign: Campaign) -> None:
    """The providers accepted the open run: what the dispatcher would record."""
    Delivery.objects.filter(campaign=campaign).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.SENT
    )


@pytest.mark.django_db
def test_firings_during_an_open_run_are_skipped_with_the_reason(role_client):
    creators_make(3)
    campaign = recurring(Campaign.BusyFiring.SKIP)
    for _ in range(3):
        services.campaign_launch_scheduled(campaign_id=campaign.pk)  # run 1 never finished
    campaign.refresh_from_db()
    assert campaign.last_run == 1 and campaign.status == Campaign.Status.SENDING
    firings = list(
        campaign.firings.order_by("fired_at", "id").values_list("outcome", "reason", "run")
    )
    assert firings == [
        (Outcome.STARTED, "", 1),
        (Outcome.SKIPPED, Reason.RUN_OPEN, None),
        (Outcome.SKIPPED, Reason.RUN_OPEN, None),
    ]
    services.campaign_pause(campaign=campaign)
    services.campaign_launch_scheduled(campaign_id=campaign.pk)
    assert campaign.firings.order_by("-id").values_list("reason", flat=True)[0] == Reason.PAUSED

    page = role_client("analyst").get(reverse("campaign-detail", args=[campaign.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("The previous run was still open") == 2
    assert "The campaign was paused" in html and "Started a run" in html


@pytest.mark.django_db
def test_queued_firings_start_one_run_each_as_the_open_run_finishes():
    creators_make(3)
    campaign = recurring(Campaign.BusyFiring.QUEUE)
    for _ in range(3):
        services.campaign_launch_scheduled(campaign_id=campaign.pk)
    assert Counter(campaign.firings.values_list("outcome", flat=True)) == {
        Outcome.STARTED: 1,
        Outcome.QUEUED: 2,
    }
    for run in (1, 2, 3):
        campaign.refresh_from_db()
        assert (campaign.last_run, campaign.status) == (run, Campaign.Status.SENDING)
        runs.campaign_run_fanout(campaign_id=campaign.pk, run=run)
        deliveries_settle(campaign)
        assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED and campaign.last_run == 3
    assert list(campaign.firings.order_by("fired_at", "id").values_list("outcome", "run")) == [
        (Outcome.STARTED, 1),
        (Outcome.STARTED_LATE, 2),
        (Outcome.STARTED_LATE, 3),
    ]
    assert Delivery.objects.filter(campaign=campaign).values("run").distinct().count() == 3


@pytest.mark.django_db
def test_cancelling_skips_the_queued_firings():
    creators_make(2)
    campaign = recurring(Campaign.BusyFiring.QUEUE)
    services.campaign_launch_scheduled(campaign_id=campaign.pk)
    services.campaign_launch_scheduled(campaign_id=campaign.pk)
    services.campaign_cancel(campaign=campaign)
    assert list(campaign.firings.order_by("id").values_list("outcome", "reason")) == [
        (Outcome.STARTED, ""),
        (Outcome.SKIPPED, Reason.CANCELLED),
    ]


@pytest.mark.worker
def test_three_firings_through_the_worker_end_with_three_runs(dispatch_rig):
    """Beat's three firings, as the worker gets them: the first starts a run, the others
    come while it is open and are queued; each starts when the run before it finishes, and
    the fake provider gets every creator once per run."""
    creators = creators_make(20)
    campaign = recurring(Campaign.BusyFiring.QUEUE, channels=("push",))
    for _ in range(3):
        tasks.campaign_launch_scheduled.delay(campaign.pk)
    dispatch_rig.worker_start()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.last_run == 3 and campaign.status == Campaign.Status.SCHEDULED:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(
            f"run {campaign.last_run}, {campaign.status}; firings "
            f"{list(campaign.firings.values_list('outcome', 'reason', 'run'))}\n"
            f"{dispatch_rig.worker_log()}"
        )
    firings = list(campaign.firings.order_by("fired_at", "id").values_list("outcome", "run"))
    assert sorted(run for _outcome, run in firings) == [1, 2, 3]
    assert {outcome for outcome, _run in firings} <= {Outcome.STARTED, Outcome.STARTED_LATE}
    deliveries = Delivery.objects.filter(campaign=campaign)
    assert Counter(deliveries.values_list("run", "status")) == {
        (run, Delivery.Status.SENT): len(creators) for run in (1, 2, 3)
    }
    received = delivery_ids_received(dispatch_rig.fakes, "fcm")
    assert set(received) == set(deliveries.values_list("id", flat=True))
