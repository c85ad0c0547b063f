"""A triggered campaign honours the program-wide holdout like any fan-out: creators in it get
no marketing message when their event fires, and a transactional triggered campaign still
reaches them. Who is held out is recomputed from the documented hash."""

from __future__ import annotations

from campaigns import dispatch, services, triggers
from campaigns.models import Campaign
from channels.models import InboxMessage
from creators.holdout import program_holdout_bucket
from tests.campaigns.test_trigger_matching import DAY0, INBOX
from tests.support.factories import campaign_make, creators_make


def _armed_for_every_sale(*, transactional: bool) -> Campaign:
    campaign = campaign_make(messages=INBOX, name=f"Venta (transaccional={transactional})")
    if transactional:
        Campaign.objects.filter(pk=campaign.pk).update(transactional=True)
        campaign.refresh_from_db()
    triggers.campaign_trigger_set(
        campaign=campaign, trigger={"event": "sale_made", "where": {}, "repeat": "always"}
    )
    return services.campaign_launch(campaign=campaign)


def _fire_for_each(campaign: Campaign, creators, first_id: int) -> None:
    triggers.trigger_events_process(
        campaign_id=campaign.pk,
        events=[
            triggers.TriggerEvent(
                id=first_id + i,
                creator_id=creator.pk,
                name="sale_made",
                props={"amount": 150},
                occurred_at=DAY0,
            )
            for i, creator in enumerate(creators)
        ],
    )
    dispatch.campaign_dispatch(campaign_id=campaign.pk)


def test_held_out_creators_get_no_triggered_marketing_message_but_transactional_reaches_them(
    transactional_db, settings
):
    settings.PROGRAM_HOLDOUT_PERCENT = 20
    creators = creators_make(150)
    held_out = {c.pk for c in creators if program_holdout_bucket(c.pk) < 0.20}
    assert 10 <= len(held_out) <= 60  # about 30 of 150: both groups are there

    marketing = _armed_for_every_sale(transactional=False)
    _fire_for_each(marketing, creators, first_id=10_000)
    reached = set(
        InboxMessage.objects.filter(delivery__campaign=marketing).values_list(
            "creator_id", flat=True
        )
    )
    assert reached == {c.pk for c in creators} - held_out

    notice = _armed_for_every_sale(transactional=True)
    _fire_for_each(notice, creators, first_id=20_000)
    reached = set(
        InboxMessage.objects.filter(delivery__campaign=notice).values_list("creator_id", flat=True)
    )
    assert reached == {c.pk for c in creators}
