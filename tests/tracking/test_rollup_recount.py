from django.db import transaction

from campaigns.models import Delivery
from tests.tracking.synthetic import traffic_play
from tracking.models import Event, LinkRollup, Rollup
from tracking.services import events_batched, rollup_recount

COLUMNS = (
    "channel",
    "locale",
    "variant",
    "hour",
    "delivered",
    "opened",
    "clicked",
    "opens_total",
    "clicks_total",
    "machine_opens",
    "bot_clicks",
    "bounced",
    "complained",
    "unsubscribed",
)


def rollups(campaign):
    rows = Rollup.objects.filter(campaign=campaign).values_list(*COLUMNS)
    # rows whose counts were all moved elsewhere (zeros) are not facts
    return sorted(row for row in rows if any(row[4:]))


def link_rollups(campaign):
    return sorted(
        LinkRollup.objects.filter(campaign=campaign).values_list("link_id", "clicks", "bot_clicks")
    )


def firsts(campaign):
    return list(
        Delivery.objects.filter(campaign=campaign)
        .order_by("id")
        .values_list("first_delivered_at", "first_opened_at", "first_clicked_at")
    )


def test_rollups_kept_live_equal_a_recount_from_raw_events(campaign):
    traffic_play(campaign)
    assert Event.objects.filter(automated=True, kind="clicked", automated_reason="burst").exists()
    assert Event.objects.filter(automated=True, kind="opened").exists()
    live = (rollups(campaign), link_rollups(campaign), firsts(campaign))
    rollup_recount(campaign=campaign)
    assert (rollups(campaign), link_rollups(campaign), firsts(campaign)) == live


def test_recount_repairs_lost_rollups(campaign):
    traffic_play(campaign, seed=3)
    expected = rollups(campaign)
    Rollup.objects.all().delete()
    Delivery.objects.update(first_opened_at=None)
    rollup_recount(campaign=campaign)
    assert rollups(campaign) == expected


def test_rollups_of_a_batch_written_at_its_end_equal_a_recount(campaign):
    """A webhook batch writes its rollup increments once, at its end (events_batched)."""
    with transaction.atomic(), events_batched():
        traffic_play(campaign, seed=5)
        assert not Rollup.objects.exists()  # nothing written yet
    assert Event.objects.filter(automated=True, kind="clicked", automated_reason="burst").exists()
    live = (rollups(campaign), link_rollups(campaign), firsts(campaign))
    assert live[0] and live[1]
    rollup_recount(campaign=campaign)
    assert (rollups(campaign), link_rollups(campaign), firsts(campaign)) == live
