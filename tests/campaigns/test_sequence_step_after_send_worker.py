"""Through a real worker and the fake SendGrid: a campaign is sent and finishes; a step added
afterwards for those who did not open goes out to exactly them, and the campaign finishes
again."""

from __future__ import annotations

import time

import pytest

from campaigns import sequences, services, tasks
from campaigns.models import Campaign, Delivery, SequenceStep
from tests.campaigns.outbox import delivery_ids_received
from tests.campaigns.sequence_rig import open_record
from tests.support.factories import campaign_make, creators_make


def _wait_for(campaign: Campaign, status: str, rig, what: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.status == status:
            return
        time.sleep(0.5)
    raise AssertionError(f"{what}: still {campaign.status}\n{rig.worker_log()}")


@pytest.mark.worker
def test_a_step_added_after_the_send_reaches_the_non_openers(dispatch_rig, settings):
    settings.FREQUENCY_CAP, settings.FREQUENCY_CAP_BY_KIND = 0, {}
    creators_make(12)
    campaign = campaign_make(channels=("email",), name="Misión de diciembre")
    services.campaign_launch(campaign=campaign)
    dispatch_rig.worker_start(FREQUENCY_CAP="0")
    _wait_for(campaign, Campaign.Status.SENT, dispatch_rig, "the first send")
    first = list(Delivery.objects.filter(campaign=campaign, step=0).order_by("id"))
    assert len(first) == 12 and {d.status for d in first} == {Delivery.Status.SENT}
    openers = {d.creator_id for d in first[::3]}
    for delivery in first[::3]:
        open_record(delivery, campaign.launched_at)

    step = sequences.sequence_step_save(
        campaign=campaign,
        channel="email",
        wait_minutes=0,
        condition=SequenceStep.Condition.NOT_OPENED,
        messages=[
            {"locale": "es-MX", "subject": "¿Lo viste?", "html": "<p>Aún puedes unirte</p>"},
            {"locale": "en", "subject": "Did you see it?", "html": "<p>You can still join</p>"},
        ],
    )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    tasks.sequence_steps_due.delay()  # what beat does every minute
    _wait_for(campaign, Campaign.Status.SENT, dispatch_rig, "the follow-up step")

    followed = Delivery.objects.filter(campaign=campaign, step=step.pk)
    assert set(followed.values_list("creator_id", flat=True)) == (
        {d.creator_id for d in first} - openers
    )
    assert set(followed.values_list("status", flat=True)) == {Delivery.Status.SENT}
    received = delivery_ids_received(dispatch_rig.fakes, "sendgrid")
    assert set(received) == {d.pk for d in first} | set(followed.values_list("id", flat=True))
    assert set(received.values()) == {1}  # each once
    followed_ids = {str(pk) for pk in followed.values_list("id", flat=True)}
    subjects = {
        entry["request"]["subject"]
        for entry in dispatch_rig.fakes.received("sendgrid", accepted=True)
        if {p["custom_args"]["delivery_id"] for p in entry["request"]["personalizations"]}
        & followed_ids
    }
    assert subjects <= {"¿Lo viste?", "Did you see it?"} and subjects
