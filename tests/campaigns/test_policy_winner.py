"""Test phase: the variants go to a test share first; the winner (by CTR) then goes to the
remainder, and nobody gets two messages."""

from collections import Counter

from django.utils import timezone

from campaigns import dispatch, experiments, fanout, runs, services, tasks
from campaigns.models import Campaign, Delivery
from channels.models import InboxMessage
from tests.campaigns.test_policy_variants import _ab_campaign
from tests.support.factories import creators_make


def test_winner_goes_to_the_remainder_and_nobody_twice(transactional_db):
    creators_make(1_000, devices=False)
    campaign = _ab_campaign(weights={"A": 50, "B": 50}, holdout=10, test=20)
    services.campaign_launch(campaign=campaign)
    fanout.deliveries_create(campaign=campaign, run=1)
    test_share = Counter(Delivery.objects.values_list("status", flat=True))
    # 10% holdout, then 20% of the other 90% in the test: about 100 + 180 of 1,000.
    assert 70 <= test_share[Delivery.Status.HOLDOUT] <= 130
    assert 140 <= test_share[Delivery.Status.PENDING] <= 220
    dispatch.campaign_dispatch(campaign_id=campaign.pk)
    # The test share is out but the campaign is not finished: the remainder waits.
    assert not runs.campaign_finish_if_done(campaign_id=campaign.pk)
    # B's creators click more (as tracking would record it).
    now = timezone.now()
    sent = Delivery.objects.filter(status=Delivery.Status.SENT)
    sent.filter(variant="A").filter(pk__in=list(sent.values_list("pk", flat=True))[::4]).update(
        first_clicked_at=now
    )
    sent.filter(variant="B").update(first_clicked_at=now)
    tested = set(sent.values_list("creator_id", flat=True))

    winner = tasks.campaign_winner_pick(campaign.pk, 1)
    again = experiments.campaign_winner_pick(campaign_id=campaign.pk, run=1)
    dispatch.campaign_dispatch(campaign_id=campaign.pk)

    assert (winner, again) == ("B", None)
    campaign.refresh_from_db()
    assert campaign.winner_variant == "B" and campaign.winner_picked_at is not None
    holdouts = set(
        Delivery.objects.filter(status=Delivery.Status.HOLDOUT).values_list("creator_id", flat=True)
    )
    remainder = Delivery.objects.filter(status=Delivery.Status.SENT).exclude(creator_id__in=tested)
    assert set(remainder.values_list("variant", flat=True)) == {"B"}
    # Every creator outside the holdout got exactly one message; holdouts none.
    per_creator = Counter(InboxMessage.objects.values_list("creator_id", flat=True))
    assert set(per_creator.values()) == {1}
    assert len(per_creator) == 1_000 - len(holdouts)
    assert holdouts.isdisjoint(per_creator)
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
