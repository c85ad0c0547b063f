"""Channel fallback: sent by priority (WhatsApp, else Push, else Email), a permanent failure
moves the creator to the next channel, recorded in the delivery history; one message each."""

from collections import Counter

from campaigns import dispatch, fanout, runs, services
from campaigns.models import Delivery
from creators.models import Creator, Device
from tests.campaigns.outbox import delivery_ids_received
from tests.support.factories import campaign_make, creators_make


def _history(creator_id: int) -> list[tuple[str, str, str | bool]]:
    rows = Delivery.objects.filter(creator_id=creator_id).order_by("id")
    by_id = {row.id: row for row in rows}
    return [
        (
            row.channel,
            row.status,
            row.fallback_from is not None and by_id[row.fallback_from].channel,
        )
        for row in rows
    ]


def test_permanent_whatsapp_failure_falls_back_to_push_then_email(dispatch_rig):
    creators = creators_make(6)
    ids = [creator.pk for creator in creators]
    fakes = dispatch_rig.fakes
    # creador_1, 2, 3: not on WhatsApp (Twilio 21211); creador_2's push token is unregistered;
    # creador_3 has no app installed; creador_4 never agreed to WhatsApp.
    fakes.set_behaviour(
        "twilio",
        recipient_errors={f"whatsapp:+5255{i:08d}": 21211 for i in (1, 2, 3)},
        callbacks={"enabled": False},
    )
    fakes.set_behaviour("fcm", recipient_errors={"device-token-creador_2": None})
    Device.objects.filter(creator_id=ids[3]).delete()
    Creator.objects.filter(pk=ids[4]).update(consent_whatsapp="denied")
    campaign = campaign_make(channels=("whatsapp", "push", "email"))
    campaign.channel_priority = ["whatsapp", "push", "email"]
    campaign.save()
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()

    fanout.deliveries_create(campaign=campaign, run=1)
    # Fan-out gives each creator only their first reachable channel.
    assert Counter(Delivery.objects.values_list("channel", flat=True)) == {"whatsapp": 5, "push": 1}
    while dispatch.campaign_dispatch(campaign_id=campaign.pk).claimed:
        pass

    assert _history(ids[0]) == [("whatsapp", "sent", False)]
    assert _history(ids[1]) == [("whatsapp", "failed", False), ("push", "sent", "whatsapp")]
    assert _history(ids[2]) == [
        ("whatsapp", "failed", False),
        ("push", "failed", "whatsapp"),
        ("email", "sent", "push"),
    ]
    assert _history(ids[3]) == [("whatsapp", "failed", False), ("email", "sent", "whatsapp")]
    assert _history(ids[4]) == [("push", "sent", False)]
    assert _history(ids[5]) == [("whatsapp", "sent", False)]
    # Each creator got exactly one message, as the providers saw it.
    accepted = (
        delivery_ids_received(fakes, "twilio")
        + delivery_ids_received(fakes, "fcm")
        + delivery_ids_received(fakes, "sendgrid")
    )
    assert set(accepted.values()) == {1}
    creators_reached = Counter(
        Delivery.objects.filter(pk__in=accepted).values_list("creator_id", flat=True)
    )
    assert creators_reached == dict.fromkeys(ids, 1)
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)


def test_hard_bounce_reported_later_falls_back_to_the_next_channel(dispatch_rig, live_server):
    creators = creators_make(3)
    ids = [creator.pk for creator in creators]
    fakes = dispatch_rig.fakes
    # SendGrid accepts creadora1's mail, then its webhook reports a hard bounce.
    fakes.set_behaviour(
        "sendgrid",
        undeliverable={"creadora1@example.com": "bounce"},
        callbacks={
            "enabled": True,
            "url": f"{live_server.url}/hooks/sendgrid/events",
            "events": ["processed", "delivered"],
            "delay_ms": 20,
        },
    )
    campaign = campaign_make(channels=("email", "inbox"))
    campaign.channel_priority = ["email", "inbox"]
    campaign.save()
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=1)
    dispatch.campaign_dispatch(campaign_id=campaign.pk)

    fallback = fakes.wait_for(
        lambda _fakes: Delivery.objects.filter(channel="inbox").first(), timeout=15
    )
    while dispatch.campaign_dispatch(campaign_id=campaign.pk).claimed:
        pass

    assert fallback.creator_id == ids[1]
    assert _history(ids[1]) == [("email", "sent", False), ("inbox", "sent", "email")]
    assert _history(ids[0]) == [("email", "sent", False)]
    assert _history(ids[2]) == [("email", "sent", False)]
    # A bounce reported twice (webhooks are retried) does not add a second fallback.
    email = Delivery.objects.get(creator_id=ids[1], channel="email")
    assert services.delivery_fallback_after_bounce(delivery_id=email.pk) == 0
    assert Delivery.objects.filter(creator_id=ids[1]).count() == 2
