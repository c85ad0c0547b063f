"""Retargeting: a static segment of who clicked, opened but did not click, did not open, or
was not reached, equal to a recount of the deliveries done in Python; audited; and the
follow-up draft campaign to it."""

from __future__ import annotations

from collections import defaultdict

import pytest

from audit.models import AuditEntry
from campaigns.models import Campaign, Delivery
from segments.models import Segment, SegmentMember
from tests.support.factories import user_make
from tests.tracking.engagement import engaged_campaign_make
from tracking import retarget
from tracking.models import Event
from tracking.services import KEY_FAIL

pytestmark = pytest.mark.django_db

S = Delivery.Status


@pytest.fixture
def sent_campaign() -> Campaign:
    return engaged_campaign_make()


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
