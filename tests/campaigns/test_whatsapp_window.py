"""The WhatsApp 24-hour window, decided at fan-out and checked again at dispatch: a window
that closes in between stops a body-only message (failed, never sent, then the next channel
where a priority is set), and the review page counts each side before launch."""

from __future__ import annotations

import re
from html import unescape as html_unescape

import pytest
from django.utils import translation

from campaigns import dispatch, fanout, services
from campaigns.models import Delivery, FanoutSkip
from creators.models import Creator
from segments.services import segment_create
from tests.campaigns.outbox import delivery_ids_received
from tests.campaigns.window import (
    BODY_ONLY,
    BOTH,
    TEMPLATE,
    creators_with_windows,
    twilio_requests_by_creator,
    whatsapp_campaign,
    window_close,
)
from tests.support.factories import creators_make


def _dispatch_all(campaign) -> None:
    while dispatch.campaign_dispatch(campaign_id=campaign.pk).claimed:
        pass


def _launched(campaign):
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    return campaign


def test_window_closing_after_fanout_stops_a_body_only_message(dispatch_rig):
    creators = creators_make(4)  # all inside their window at fan-out
    campaign = _launched(whatsapp_campaign(BODY_ONLY))
    assert Delivery.objects.filter(campaign=campaign).count() == 4
    closed = creators[1:3]
    window_close(closed)

    _dispatch_all(campaign)

    for creator in closed:
        delivery = Delivery.objects.get(campaign=campaign, creator=creator)
        assert (delivery.status, delivery.error_code) == ("failed", "outside_whatsapp_window")
        assert delivery.error_message == "delivery.outside_whatsapp_window"
        with translation.override("en"):
            assert "24 hours" in str(delivery.error_note)
        assert delivery.provider_message_id == ""
    assert sorted(twilio_requests_by_creator(dispatch_rig.fakes)) == [
        creators[0].pk,
        creators[3].pk,
    ]
    sent_to = {entry["request"]["To"] for entry in dispatch_rig.fakes.received("twilio")}
    assert sent_to == {f"whatsapp:{c.phone}" for c in (creators[0], creators[3])}


def test_window_closing_after_fanout_sends_the_template_when_there_is_one(dispatch_rig):
    creators = creators_make(2)
    campaign = _launched(whatsapp_campaign(BOTH))
    window_close(creators[:1])

    _dispatch_all(campaign)

    received = twilio_requests_by_creator(dispatch_rig.fakes)
    assert received[creators[0].pk][0]["ContentSid"] == TEMPLATE["content_sid"]
    assert "Body" not in received[creators[0].pk][0]
    assert "ContentSid" not in received[creators[1].pk][0]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_with_a_priority_creators_outside_the_window_get_the_next_channel(dispatch_rig):
    inside, outside = creators_with_windows(4)  # inside: 0, 2; outside: 1, 3
    campaign = whatsapp_campaign(BODY_ONLY, channels=("whatsapp", "email"))
    campaign.channel_priority = ["whatsapp", "email"]
    campaign.save()
    _launched(campaign)
    first = dict(Delivery.objects.values_list("creator_id", "channel"))
    assert first == {
        **{c.pk: "whatsapp" for c in inside},
        **{c.pk: "email" for c in outside},
    }
    window_close(inside[1:])  # creador_2's window closes before dispatch

    _dispatch_all(campaign)

    assert sorted(twilio_requests_by_creator(dispatch_rig.fakes)) == [inside[0].pk]
    failed = Delivery.objects.get(creator=inside[1], channel="whatsapp")
    assert (failed.status, failed.error_code) == ("failed", "outside_whatsapp_window")
    successor = Delivery.objects.get(creator=inside[1], channel="email")
    assert (successor.status, successor.fallback_from) == ("sent", failed.pk)
    emailed = Delivery.objects.filter(pk__in=delivery_ids_received(dispatch_rig.fakes, "sendgrid"))
    assert sorted(emailed.values_list("creator_id", flat=True)) == sorted(
        [inside[1].pk, *(c.pk for c in outside)]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (BOTH, "2 inside the 24-hour window get the free text; 3 outside it get the template."),
        (BODY_ONLY, "3 outside it are not sent WhatsApp"),
        (TEMPLATE, "everyone gets the template (2 inside the 24-hour window, 3 outside)"),
    ],
)
def test_review_page_counts_each_side_of_the_window(role_client, fields, says):
    creators_with_windows(6)  # inside: 0, 2, 4; outside: 1, 3, 5
    Creator.objects.filter(handle="creador_4").update(consent_whatsapp="denied")
    campaign = whatsapp_campaign(fields)
    client = role_client("editor")

    page = client.get(f"/campaigns/{campaign.pk}/review/", HTTP_ACCEPT_LANGUAGE="en")
    # The page loads the counts with htmx from the fragment its placeholder names.
    lazy_url = html_unescape(
        re.search(r'hx-get="([^"]+)" hx-trigger="load"', page.content.decode())[1]
    )
    html = client.get(lazy_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    figures = dict(re.findall(r'data-testid="(whatsapp-[\w-]+)">(\d+)<', html))
    assert figures == {"whatsapp-in-window": "2", "whatsapp-outside-window": "3"}
    assert says in re.sub(r"\s+", " ", html)


@pytest.mark.django_db
def test_audience_counts_split_whatsapp_by_window(role_client):
    creators_with_windows(6)
    segment = segment_create(name="Todas", rules={"all": []})
    campaign = whatsapp_campaign(BODY_ONLY)
    client = role_client("editor")

    html = client.get(
        f"/campaigns/{campaign.pk}/audience/counts/", {"segment": segment.pk}
    ).content.decode()

    figures = dict(re.findall(r'data-testid="([\w-]+)">(\d+)<', html))
    assert figures["reachable-whatsapp"] == "6"
    assert (figures["whatsapp-in-window"], figures["whatsapp-outside-window"]) == ("3", "3")


@pytest.mark.django_db
def test_fanout_decides_per_language():
    """es-MX's message is body-only, en's has a template too: out of their window, English
    creators still get a WhatsApp delivery (the template), Spanish ones are left out."""
    inside, outside = creators_with_windows(10)  # en: creador_0 and creador_5
    campaign = whatsapp_campaign(BODY_ONLY)
    services.campaign_message_set(campaign=campaign, channel="whatsapp", locale="en", fields=BOTH)

    _launched(campaign)

    given = set(Delivery.objects.values_list("creator__handle", flat=True))
    assert given == {c.handle for c in inside} | {"creador_5"}
    skip = FanoutSkip.objects.get(reason=FanoutSkip.Reason.OUTSIDE_WHATSAPP_WINDOW)
    assert skip.count == len(outside) - 1
