"""Late entrants: creators who start matching a running sequence's dynamic segment enter it,
once each, and reach the steps executed after they entered."""

from datetime import timedelta

from campaigns import sequences, tasks
from campaigns.models import Delivery
from creators.models import Creator
from segments.services import segment_create
from tests.campaigns.sequence_rig import LAUNCH, campaign_with_creators, launch, step_messages


def test_new_matchers_enter_once_and_get_later_steps(transactional_db, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    campaign, index = campaign_with_creators(40)
    campaign.segment = segment_create(
        name="Nivel 4+", rules={"all": [{"field": "level", "op": "gte", "value": 4}]}
    )
    campaign.save(update_fields=["segment"])
    step = sequences.sequence_step_save(
        campaign=campaign, channel="inbox", wait_minutes=120, messages=step_messages("Dos")
    )
    launch(campaign)
    first = {pk for pk, i in index.items() if i % 8 >= 4}
    assert set(Delivery.objects.filter(step=0).values_list("creator_id", flat=True)) == first
    newcomers = {pk for pk, i in index.items() if i % 8 == 1}
    Creator.objects.filter(pk__in=newcomers).update(level=6)

    an_hour = (LAUNCH + timedelta(hours=1)).isoformat()
    assert tasks.sequence_entrants_add(an_hour) == len(newcomers)
    assert tasks.sequence_entrants_add(an_hour) == 0  # each enters once
    # One leaves the segment and comes back: still only once.
    back = next(iter(newcomers))
    Creator.objects.filter(pk=back).update(level=0)
    Creator.objects.filter(pk=back).update(level=6)
    assert tasks.sequence_entrants_add(an_hour) == 0
    assert Delivery.objects.filter(step=0, creator_id=back).count() == 1

    assert tasks.sequence_steps_due((LAUNCH + timedelta(hours=2)).isoformat()) == 1
    reached = set(Delivery.objects.filter(step=step.pk).values_list("creator_id", flat=True))
    assert reached == first | newcomers
    # Every step executed: nobody enters any more.
    Creator.objects.filter(pk__in=index).update(level=7)
    assert tasks.sequence_entrants_add((LAUNCH + timedelta(hours=3)).isoformat()) == 0
