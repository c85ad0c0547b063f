"""Retargeting: a static segment of who clicked, opened but did not click, did not open, or
was not reached, equal to a recount of the deliveries done in Python; audited; and the
follow-up draft campaign to it."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from campaigns import fanout
from campaigns.models import Campaign, Delivery
from segments.models import Segment, SegmentMember
from tests.support.factories import campaign_make, creators_make, user_make
from tracking import retarget
from tracking.models import Event
from tracking.services import KEY_FAIL, event_record

pytestmark = pytest.mark.django_db

S = Delivery.Status
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@pytest.fixture
def sent_campaign() -> Campaign:
    """40 creators × email and WhatsApp. By creator index: every third opened its email, every
    fifth clicked it (some without an open), every seventh's email bounced after acceptance,
    every eleventh is refused on both channels, every thirteenth is holdout, and a few
    machine opens and bot clicks that must count for nobody."""
    creators = creators_make(40)
    campaign = campaign_make(channels=("email", "whatsapp"))
    Campaign.objects.filter(pk=campaign.pk).update(status="sent", last_run=1)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=1)
    sent_at = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(campaign=campaign).update(status=S.SENT, sent_at=sent_at)
    for index, creator in enumerate(creators):
        email = Delivery.objects.get(campaign=campaign, creator=creator, channel="email")
        both = Delivery.objects.filter(campaign=campaign, creator=creator)
        later = sent_at + timedelta(minutes=10)
        if index % 13 == 0:
            both.update(status=S.HOLDOUT, sent_at=None)
            continue
        if index % 11 == 0:
            both.update(status=S.FAILED, error_code="21211")
            continue
        if index % 7 == 0:
            event_record(
                delivery_id=email.pk, kind=Event.Kind.BOUNCED, source="sendgrid",
                dedupe_key=KEY_FAIL, occurred_at=later,
            )  # fmt: skip
            Delivery.objects.filter(campaign=campaign, creator=creator, channel="whatsapp").update(
                status=S.FAILED
            )
        if index % 3 == 0:
            event_record(
                delivery_id=email.pk, kind=Event.Kind.OPENED, source="pixel",
                user_agent=UA, occurred_at=later,
            )  # fmt: skip
        if index % 5 == 0:
            event_record(
                delivery_id=email.pk, kind=Event.Kind.CLICKED, source="redirect",
                user_agent=UA, occurred_at=later + timedelta(minutes=1),
            )  # fmt: skip
        if index % 4 == 1:  # machine open and bot click only: still "did not open"
            event_record(
                delivery_id=email.pk, kind=Event.Kind.OPENED, source="pixel",
                automated_reason="prefetch", occurred_at=later,
            )  # fmt: skip
            event_record(
                delivery_id=email.pk, kind=Event.Kind.CLICKED, source="redirect",
                automated_reason="agent", occurred_at=later,
            )  # fmt: skip
    return campaign


def _recount(campaign: Campaign) -> dict[str, set[int]]:
    """The four audiences, recounted delivery by delivery from the rows and the events."""
    bounced = set(
        Event.objects.filter(campaign=campaign, dedupe_key=KEY_FAIL).values_list(
            "delivery_id", flat=True
        )
    )
    per_creator: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in Delivery.objects.filter(campaign=campaign):
        per_creator[delivery.creator_id].append(delivery)
    groups: dict[str, set[int]] = {choice: set() for choice in retarget.CHOICES}
    for creator_id, deliveries in per_creator.items():
        opened = any(d.first_opened_at for d in deliveries)
        clicked = any(d.first_clicked_at for d in deliveries)
        reached = any(d.status == S.SENT and d.pk not in bounced for d in deliveries)
        if clicked:
            groups["clicked"].add(creator_id)
        if opened and not clicked:
            groups["opened_not_clicked"].add(creator_id)
        if reached and not opened and not clicked:
            groups["not_opened"].add(creator_id)
        if (
            not reached
            and not opened
            and not clicked
            and any(d.status != S.HOLDOUT for d in deliveries)
        ):
            groups["not_reached"].add(creator_id)
    return groups


def _members(segment: Segment) -> set[int]:
    return set(SegmentMember.objects.filter(segment=segment).values_list("creator_id", flat=True))


@pytest.mark.parametrize("choice", list(retarget.CHOICES))
def test_retarget_segment_holds_exactly_the_recounted_creators(sent_campaign, choice):
    expected = _recount(sent_campaign)[choice]
    segment = retarget.retarget_segment_create(campaign=sent_campaign, choice=choice, actor=None)
    assert expected, "the fixture must give every audience someone"
    assert _members(segment) == expected
    assert segment.kind == Segment.Kind.STATIC
    assert sent_campaign.name in segment.name
    assert str(retarget.CHOICES[choice]) in segment.name


def test_audiences_split_the_reached_creators_without_overlap(sent_campaign):
    groups = {
        choice: _members(
            retarget.retarget_segment_create(campaign=sent_campaign, choice=choice, actor=None)
        )
        for choice in retarget.CHOICES
    }
    for first in groups:
        for second in groups:
            if first != second:
                assert not groups[first] & groups[second], (first, second)
    holdout = set(
        Delivery.objects.filter(campaign=sent_campaign, status=S.HOLDOUT).values_list(
            "creator_id", flat=True
        )
    )
    everyone = set(
        Delivery.objects.filter(campaign=sent_campaign).values_list("creator_id", flat=True)
    )
    assert set().union(*groups.values()) == everyone - holdout


def test_machine_opens_and_bot_clicks_leave_a_creator_in_not_opened(sent_campaign):
    segment = retarget.retarget_segment_create(
        campaign=sent_campaign, choice="not_opened", actor=None
    )
    flagged_only = set(
        Event.objects.filter(campaign=sent_campaign, automated=True).values_list(
            "delivery__creator_id", flat=True
        )
    ) - set(
        Event.objects.filter(
            campaign=sent_campaign, automated=False, kind__in=["opened", "clicked"]
        ).values_list("delivery__creator_id", flat=True)
    )
    bounced_or_failed = _recount(sent_campaign)["not_reached"]
    assert flagged_only - bounced_or_failed
    assert flagged_only - bounced_or_failed <= _members(segment)


def test_retarget_is_audited_with_the_member_count(sent_campaign):
    user = user_make("ana", role="editor")
    segment = retarget.retarget_segment_create(campaign=sent_campaign, choice="clicked", actor=user)
    entry = AuditEntry.objects.get(action="segment.create", target_id=str(segment.pk))
    assert entry.actor == user
    assert entry.detail == {"members": len(_members(segment)), "campaign": sent_campaign.pk}


def test_unknown_choice_is_refused_and_saves_nothing(sent_campaign):
    before = Segment.objects.count()
    with pytest.raises(retarget.RetargetChoiceUnknown):
        retarget.retarget_segment_create(campaign=sent_campaign, choice="opened", actor=None)
    assert Segment.objects.count() == before


def test_follow_up_is_a_draft_to_the_segment_on_the_same_channels(sent_campaign):
    user = user_make("ana", role="editor")
    follow_up = retarget.retarget_follow_up_create(
        campaign=sent_campaign, choice="not_opened", actor=user
    )
    assert follow_up.status == Campaign.Status.DRAFT
    assert follow_up.segment is not None and follow_up.segment.kind == Segment.Kind.STATIC
    assert _members(follow_up.segment) == _recount(sent_campaign)["not_opened"]
    assert follow_up.channels == sorted(sent_campaign.channels)
    assert follow_up.kind == sent_campaign.kind and follow_up.owner == user
    assert sent_campaign.name in follow_up.name
    original = {(m.channel, m.locale): m.fields for m in sent_campaign.messages.filter(step=0)}
    assert {(m.channel, m.locale): m.fields for m in follow_up.messages.all()} == original
