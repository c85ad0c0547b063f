"""The program-wide holdout: creators in it get no marketing send, on any path that creates
deliveries (launch fan-out, channel priority, sequence steps), and transactional campaigns
still reach them. Who is in it is recomputed here in Python from the documented hash."""

from __future__ import annotations

import pytest
from django.db import connection

from campaigns import fanout, sequences, services
from campaigns.models import Campaign, Delivery, FanoutSkip, SequenceStep
from channels.models import InboxMessage
from creators.holdout import program_holdout_bucket, program_holdout_bucket_sql
from creators.models import Creator
from tests.campaigns.outbox import delivery_ids_received
from tests.campaigns.sequence_rig import (
    LAUNCH,
    campaign_with_creators,
    creators_of,
    launch,
    send_all,
    step_messages,
)
from tests.campaigns.test_dispatch_worker import wait_until_settled
from tests.support.factories import campaign_make, creators_make

DAY = 24 * 60


def held_out(creator_ids, percent: float) -> set[int]:
    return {pk for pk in creator_ids if program_holdout_bucket(pk) < percent / 100}


def test_the_sql_bucket_is_the_documented_hash(db):
    creators = creators_make(300)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.id, {program_holdout_bucket_sql('c')} FROM creators_creator c")
        in_sql = dict(cursor.fetchall())
    assert in_sql == {
        c.pk: pytest.approx(program_holdout_bucket(c.pk), abs=1e-12) for c in creators
    }
    # Stable and nested: raising the share keeps everyone already held out.
    ids = [c.pk for c in creators]
    assert held_out(ids, 5) <= held_out(ids, 10) <= held_out(ids, 20)
    assert 20 <= len(held_out(ids, 20)) <= 100  # about 60 of 300


def test_holdout_creators_get_no_marketing_delivery_and_the_skip_is_recorded(db, settings):
    settings.PROGRAM_HOLDOUT_PERCENT = 20
    creators = creators_make(300)
    ids = {c.pk for c in creators}
    holdout = held_out(ids, 20)
    campaign = campaign_make()

    fanout.deliveries_create(campaign=campaign, run=1)

    for channel in campaign.channels:
        reached = set(
            Delivery.objects.filter(campaign=campaign, channel=channel).values_list(
                "creator_id", flat=True
            )
        )
        assert reached == ids - holdout, channel
    skips = dict(
        FanoutSkip.objects.filter(campaign=campaign, reason="program_holdout").values_list(
            "channel", "count"
        )
    )
    assert skips == {channel: len(holdout) for channel in campaign.channels}


def test_holdout_wins_over_other_skip_reasons_and_counts_once_with_a_priority(db, settings):
    settings.PROGRAM_HOLDOUT_PERCENT = 20
    creators = creators_make(200)
    ids = [c.pk for c in creators]
    holdout = held_out(ids, 20)
    # Some held-out creators could not be reached anyway: they still count as held out.
    Creator.objects.filter(pk__in=list(holdout)[:5]).update(consent_email="denied")
    campaign = campaign_make(channels=("email",))
    fanout.deliveries_create(campaign=campaign, run=1)
    reasons = dict(FanoutSkip.objects.filter(campaign=campaign).values_list("reason", "count"))
    assert reasons == {"program_holdout": len(holdout)}

    priority = campaign_make(channels=("email", "inbox"), name="Con prioridad")
    priority.channel_priority = ["email", "inbox"]
    priority.save(update_fields=["channel_priority"])
    fanout.deliveries_create(campaign=priority, run=1)
    assert not Delivery.objects.filter(campaign=priority, creator_id__in=holdout).exists()
    assert list(
        FanoutSkip.objects.filter(campaign=priority).values_list("channel", "reason", "count")
    ) == [("email", "program_holdout", len(holdout))]


def test_transactional_campaigns_still_reach_the_holdout(db, settings):
    settings.PROGRAM_HOLDOUT_PERCENT = 20
    creators_make(200)
    campaign = campaign_make(channels=("inbox",))
    campaign.transactional = True
    campaign.save(update_fields=["transactional"])

    assert fanout.deliveries_create(campaign=campaign, run=1) == 200
    assert not FanoutSkip.objects.filter(campaign=campaign, reason="program_holdout").exists()


def test_no_sequence_step_reaches_the_holdout(transactional_db, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    settings.PROGRAM_HOLDOUT_PERCENT = 10
    campaign, index = campaign_with_creators(400)
    step = services_step(campaign, "Recordatorio")
    launch(campaign)
    send_all(campaign)
    everyone = set(index)
    first_holdout = held_out(everyone, 10)
    assert creators_of(campaign, step=0) == everyone - first_holdout
    assert InboxMessage.objects.filter(creator_id__in=first_holdout).count() == 0
    # The share grows between the first send and the step: the step leaves the newly held
    # out creators too, although they entered the sequence.
    settings.PROGRAM_HOLDOUT_PERCENT = 25
    assert sequences.step_execute(step=step, run=campaign.last_run, now=LAUNCH) is not None
    assert creators_of(campaign, step=step.pk) == everyone - held_out(everyone, 25)
    send_all(campaign)
    got_step = set(
        InboxMessage.objects.filter(title="Recordatorio").values_list("creator_id", flat=True)
    )
    assert got_step == everyone - held_out(everyone, 25)


def services_step(campaign: Campaign, title: str) -> SequenceStep:
    return sequences.sequence_step_save(
        campaign=campaign,
        channel="inbox",
        wait_minutes=DAY,
        condition=SequenceStep.Condition.ALL,
        messages=step_messages(title),
    )


@pytest.mark.worker
def test_through_the_worker_marketing_skips_the_holdout_and_transactional_reaches_it(
    dispatch_rig, settings
):
    settings.PROGRAM_HOLDOUT_PERCENT = 20
    creators = creators_make(400)
    ids = {c.pk for c in creators}
    holdout = held_out(ids, 20)
    dispatch_rig.worker_start(PROGRAM_HOLDOUT_PERCENT="20")

    marketing = campaign_make(channels=("email", "whatsapp"), name="Novedades")
    services.campaign_launch(campaign=marketing)
    wait_until_settled(marketing, dispatch_rig, timeout=180)
    notice = campaign_make(channels=("email", "whatsapp"), name="Aviso de pago")
    notice.transactional = True
    notice.save(update_fields=["transactional"])
    services.campaign_launch(campaign=notice)
    wait_until_settled(notice, dispatch_rig, timeout=180)

    creator_of = dict(Delivery.objects.values_list("id", "creator_id"))
    campaign_of = dict(Delivery.objects.values_list("id", "campaign_id"))
    for provider in ("sendgrid", "twilio"):
        received = delivery_ids_received(dispatch_rig.fakes, provider)
        reached = {
            campaign: {creator_of[d] for d in received if campaign_of[d] == campaign}
            for campaign in (marketing.pk, notice.pk)
        }
        assert reached[marketing.pk] == ids - holdout, provider
        assert reached[notice.pk] == ids, provider


def test_the_wizard_marks_a_campaign_transactional_and_back(db, role_client):
    manager = role_client("manager")
    basics = {"name": "Aviso de pago", "kind": "announcement", "market": "MX"}
    basics["default_locale"] = "es-MX"
    page = manager.get("/campaigns/new/").content.decode()
    assert "reach creators in the program-wide holdout" in page
    response = manager.post("/campaigns/new/", {**basics, "transactional": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get()
    assert campaign.transactional
    response = manager.post(f"/campaigns/{campaign.pk}/basics/", basics)
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign.refresh_from_db()
    assert not campaign.transactional


def test_the_audience_step_says_how_many_are_held_out(db, role_client, settings):
    settings.PROGRAM_HOLDOUT_PERCENT = 20
    creators = creators_make(100)
    campaign = campaign_make(channels=("inbox",))
    editor = role_client("editor")
    url = f"/campaigns/{campaign.pk}/audience/counts/"
    html = editor.get(url, {"segment": campaign.segment_id}).content.decode()
    held = len(held_out([c.pk for c in creators], 20))
    assert f"{held} of them are in the program-wide holdout" in html
    settings.PROGRAM_HOLDOUT_PERCENT = 0
    html = editor.get(url, {"segment": campaign.segment_id}).content.decode()
    assert "program-wide holdout" not in html
