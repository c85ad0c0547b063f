"""SendGrid Event Webhook: verified with the SDK, idempotent, feeding suppression and consent."""

import copy
import json
import re
from pathlib import Path

import pytest
from sendgrid.helpers.eventwebhook import EventWebhook

from campaigns.models import Delivery
from creators.models import ConsentChange, Suppression
from tracking.models import Event, Rollup, WebhookBatch

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "sendgrid_event_webhook.md"
VECTOR_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3G"
    "Rqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
)
VECTOR_SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
VECTOR_BODY = (
    '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":'
    '"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A'
    '.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismt'
    'pd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n'
)


def contract_sample() -> list[dict]:
    text = CONTRACT.read_text()
    block = re.search(r"## Sample request body.*?```json\n(.*?)```", text, re.S)
    assert block is not None, "the contract has a sample request body"
    return json.loads(block.group(1))


def sample_for(deliveries: list[Delivery]) -> list[dict]:
    """The contract's sample batch, pointed at our deliveries through custom_args."""
    by_old = {"d-42": deliveries[0], "d-43": deliveries[1], "d-44": deliveries[2]}
    events = []
    for event in contract_sample():
        delivery = by_old[event.pop("altavoz_delivery_id")]
        events.append({**event, "delivery_id": str(delivery.pk), "email": delivery.creator.email})
    return events


@pytest.fixture
def emails(campaign) -> list[Delivery]:
    return list(
        Delivery.objects.filter(campaign=campaign, channel="email").select_related("creator")[:3]
    )


def snapshot():
    return (
        list(Event.objects.values_list("kind", "dedupe_key", "automated").order_by("id")),
        list(
            Rollup.objects.values_list(
                "delivered",
                "opened",
                "clicked",
                "machine_opens",
                "bounced",
                "complained",
                "unsubscribed",
            ).order_by("id")
        ),
        list(Suppression.objects.values_list("address", "reason").order_by("id")),
        ConsentChange.objects.count(),
    )


def test_contract_vector_verifies_with_the_sdk_and_through_the_view(client, settings, db):
    assert EventWebhook(VECTOR_KEY).verify_signature(VECTOR_BODY, VECTOR_SIGNATURE, "1600112502")
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = VECTOR_KEY
    headers = {
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": VECTOR_SIGNATURE,
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": "1600112502",
    }
    ok = client.post(
        "/hooks/sendgrid/events", VECTOR_BODY.encode(), content_type="application/json", **headers
    )
    assert ok.status_code == 204
    # Stored as received; its one event names no delivery of ours, so it changed nothing.
    batch = WebhookBatch.objects.get()
    assert batch.body == VECTOR_BODY and (batch.events, batch.ignored) == (1, 1)
    assert not Suppression.objects.exists()
    altered = VECTOR_BODY.replace("dropped", "bounce")
    bad = client.post(
        "/hooks/sendgrid/events", altered.encode(), content_type="application/json", **headers
    )
    assert bad.status_code == 403


def test_sample_batch_records_each_event_kind(client, emails, sendgrid_signer):
    assert sendgrid_signer.post(client, sample_for(emails)).status_code == 204
    kinds = list(Event.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "sent",
        "deferred",
        "delivered",
        "opened",
        "clicked",
        "bounced",
        "failed",
        "complained",
        "unsubscribed",
    ]  # group_unsubscribe is the same unsubscribe of d-42: counted once
    totals = Rollup.objects.all()
    assert sum(r.delivered for r in totals) == 1
    assert sum(r.opened for r in totals) == 1
    assert sum(r.bounced for r in totals) == 2
    assert sum(r.complained for r in totals) == 1
    assert sum(r.unsubscribed for r in totals) == 1


def test_bounces_drops_spam_reports_and_unsubscribes_are_suppressed(
    client, emails, sendgrid_signer
):
    sendgrid_signer.post(client, sample_for(emails))
    suppressed = dict(Suppression.objects.values_list("address", "reason"))
    assert suppressed == {
        emails[0].creator.email: "complaint",
        emails[1].creator.email: "bounce",
        emails[2].creator.email: "bounce",
    }
    first = emails[0].creator
    first.refresh_from_db()
    assert first.consent_email == "denied"
    assert ConsentChange.objects.filter(creator=first, source="provider").count() == 1


def test_machine_open_is_kept_apart(client, emails, sendgrid_signer):
    event = {
        "email": emails[0].creator.email,
        "timestamp": 1700000003,
        "event": "open",
        "sg_event_id": "bWFjaGluZQ",
        "sg_machine_open": True,
        "useragent": "Mozilla/5.0",
        "delivery_id": str(emails[0].pk),
    }
    sendgrid_signer.post(client, [event])
    rollup = Rollup.objects.get()
    assert (rollup.opened, rollup.machine_opens) == (0, 1)
    assert Event.objects.get().automated_reason == "sg_machine_open"


def test_pixel_and_sendgrid_see_one_open(client, emails, sendgrid_signer):
    from tracking.tokens import open_token_make

    delivery = emails[0]
    client.get(
        f"/t/o/{open_token_make(delivery_id=delivery.pk)}.gif",
        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/126",
    )
    pixel = Event.objects.get()
    event = {
        "email": delivery.creator.email,
        "timestamp": int(pixel.occurred_at.timestamp()),
        "event": "open",
        "sg_event_id": "b3Blbi0x",
        "sg_machine_open": False,
        "delivery_id": str(delivery.pk),
    }
    sendgrid_signer.post(client, [event])
    assert Event.objects.count() == 1
    assert Rollup.objects.get().opens_total == 1


def test_genuine_replay_changes_nothing(client, emails, sendgrid_signer):
    events = sample_for(emails)
    sendgrid_signer.post(client, events)
    before = snapshot()
    assert sendgrid_signer.post(client, events).status_code == 204
    assert sendgrid_signer.post(client, list(reversed(events))).status_code == 204
    assert snapshot() == before


def test_forged_or_altered_batches_get_403_and_change_nothing(client, emails, sendgrid_signer):
    events = sample_for(emails)
    body = json.dumps(events).encode()
    headers = sendgrid_signer.headers(body)
    altered = copy.deepcopy(events)
    altered[3]["sg_machine_open"] = True
    other_key = type(sendgrid_signer)()
    attempts = [
        (json.dumps(altered).encode(), headers),
        (body, {**headers, "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": "1"}),
        (body, other_key.headers(body)),
        (body, {}),
        (body, {**headers, "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": "bm90IGEgc2ln"}),
    ]
    for raw, extra in attempts:
        response = client.post(
            "/hooks/sendgrid/events", raw, content_type="application/json", **extra
        )
        assert response.status_code == 403
    assert snapshot() == ([], [], [], 0)
