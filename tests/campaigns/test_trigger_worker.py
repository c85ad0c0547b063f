"""An event recorded for a creator in a triggered campaign's audience reaches the fake Twilio
through a real Celery worker; the same event again (same idempotency key) sends nothing more."""

from __future__ import annotations

import time

import pytest

from campaigns import services, triggers
from campaigns.models import Campaign, TriggerMatch
from events.services import EventIn, EventStatus, events_record
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.worker

WHATSAPP = [
    {
        "channel": "whatsapp",
        "locale": locale,
        "body": "¡Gracias {{ creator.first_name }}! Vendiste ${{ event.props.amount }}.",
    }
    for locale in ("es-MX", "en")
]


def _twilio_bodies(rig) -> list[str]:
    return [entry["request"]["Body"] for entry in rig.fakes.received("twilio", accepted=True)]


def _wait_for(condition, rig, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} after {timeout}s; worker log:\n{rig.worker_log()}")


def _record(handle: str, amount: int, key: str):
    [result] = events_record(
        events=[
            EventIn(
                name="sale_made",
                creator_handle=handle,
                props={"amount": amount},
                idempotency_key=key,
            )
        ],
        source="api",
    )
    return result


def test_event_reaches_the_fake_provider_once(dispatch_rig):
    inside, outside = creators_make(2)
    campaign = campaign_make(
        messages=WHATSAPP,
        rules={"all": [{"field": "handle", "op": "eq", "value": inside.handle}]},
    )
    triggers.campaign_trigger_set(
        campaign=campaign,
        trigger={
            "event": "sale_made",
            "where": {"field": "amount", "op": "gte", "value": 100},
            "repeat": "always",
        },
    )
    services.campaign_launch(campaign=campaign)
    dispatch_rig.worker_start()

    assert _record(inside.handle, 250, "venta-1").status == EventStatus.ACCEPTED
    _record(inside.handle, 50, "venta-2")  # under the condition
    _record(outside.handle, 500, "venta-3")  # not in the segment
    _wait_for(lambda: len(_twilio_bodies(dispatch_rig)) >= 1, dispatch_rig, 60, "nothing sent")
    assert _twilio_bodies(dispatch_rig) == [f"¡Gracias {inside.name.split()[0]}! Vendiste $250."]

    # The same event posted again: a duplicate, and nothing more is sent (repeat is "always").
    assert _record(inside.handle, 250, "venta-1").status == EventStatus.DUPLICATE
    _wait_for(
        lambda: TriggerMatch.objects.filter(campaign=campaign).count() == 2,
        dispatch_rig,
        30,
        "the matches were not recorded",
    )
    time.sleep(3)
    assert len(_twilio_bodies(dispatch_rig)) == 1
    assert dict(TriggerMatch.objects.values_list("creator__handle", "outcome")) == {
        inside.handle: "sent",
        outside.handle: "not_in_segment",
    }
    # A new sale is a new event: sent again (repeat "always").
    _record(inside.handle, 120, "venta-4")
    _wait_for(lambda: len(_twilio_bodies(dispatch_rig)) == 2, dispatch_rig, 60, "no second send")
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING
