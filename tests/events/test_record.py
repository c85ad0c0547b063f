"""events_record: accepted, duplicate and refused (with the reason) per input, in order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.consumers import RecordedEvent, consumer_register, consumer_unregister
from events.models import Event, EventKey
from events.services import EventIn, EventStatus, RefusalReason, event_emit, events_record
from tests.support.factories import creator_make

pytestmark = pytest.mark.django_db


def _statuses(results):
    return [(r.status, r.reason) for r in results]


def test_each_input_gets_its_own_result():
    creator = creator_make("ana")
    now = timezone.now()
    results = events_record(
        events=[
            EventIn(name="sale_made", creator_handle="ana", props={"amount": 120}),
            EventIn(name="sale_made", creator_handle="nadie"),
            EventIn(name="Sale-Made", creator_handle="ana"),
            EventIn(name="x" * 65, creator_handle="ana"),
            EventIn(name="big", creator_handle="ana", props={"blob": "é" * 9000}),
            EventIn(name="nan", creator_handle="ana", props={"v": float("nan")}),
            EventIn(name="nul", creator_handle="ana", props={"v": "a\x00b"}),
            EventIn(name="late", creator_handle="ana", occurred_at="yesterday"),
            EventIn(name="naive", creator_handle="ana", occurred_at="2026-01-01T10:00:00"),
            EventIn(name="old", creator_handle="ana", occurred_at=now - timedelta(days=5000)),
            EventIn(name="ahead", creator_handle="ana", occurred_at=now + timedelta(days=400)),
            EventIn(name="keyless", creator_handle="ana", idempotency_key=""),
            EventIn(name="by_id", creator_id=creator.pk, occurred_at="2026-12-01T10:00:00Z"),
            EventIn(name="by_id", creator_id=creator.pk + 1000),
        ],
        source="api",
    )
    assert _statuses(results) == [
        (EventStatus.ACCEPTED, None),
        (EventStatus.REFUSED, RefusalReason.UNKNOWN_CREATOR),
        (EventStatus.REFUSED, RefusalReason.BAD_NAME),
        (EventStatus.REFUSED, RefusalReason.BAD_NAME),
        (EventStatus.REFUSED, RefusalReason.PROPS_TOO_LARGE),
        (EventStatus.REFUSED, RefusalReason.BAD_PROPS),
        (EventStatus.REFUSED, RefusalReason.BAD_PROPS),
        (EventStatus.REFUSED, RefusalReason.BAD_OCCURRED_AT),
        (EventStatus.REFUSED, RefusalReason.BAD_OCCURRED_AT),
        (EventStatus.REFUSED, RefusalReason.BAD_OCCURRED_AT),
        (EventStatus.REFUSED, RefusalReason.BAD_OCCURRED_AT),
        (EventStatus.REFUSED, RefusalReason.BAD_IDEMPOTENCY_KEY),
        (EventStatus.ACCEPTED, None),
        (EventStatus.REFUSED, RefusalReason.UNKNOWN_CREATOR),
    ]
    stored = {event.id: event for event in Event.objects.all()}
    assert set(stored) == {results[0].id, results[12].id}
    sale = stored[results[0].id]
    assert (sale.creator_id, sale.name, sale.props, sale.source) == (
        creator.pk,
        "sale_made",
        {"amount": 120},
        "api",
    )
    assert stored[results[12].id].occurred_at.isoformat() == "2026-12-01T10:00:00+00:00"


def test_props_of_exactly_16_kb_are_accepted():
    creator_make("ana")
    props = {"blob": "x" * (16 * 1024 - len('{"blob":""}'))}
    [result] = events_record(
        events=[EventIn(name="big", creator_handle="ana", props=props)], source="api"
    )
    assert result.status == EventStatus.ACCEPTED


def test_a_key_seen_before_is_a_duplicate_and_changes_nothing():
    creator_make("ana")
    first = events_record(
        events=[
            EventIn(name="sale_made", creator_handle="ana", idempotency_key="order-1"),
            EventIn(name="sale_made", creator_handle="ana", idempotency_key="order-1"),
        ],
        source="api",
    )
    again = events_record(
        events=[
            EventIn(
                name="sale_made", creator_handle="ana", idempotency_key="order-1", props={"x": 1}
            )
        ],
        source="api",
    )
    assert [r.status for r in first] == [EventStatus.ACCEPTED, EventStatus.DUPLICATE]
    assert again[0].status == EventStatus.DUPLICATE
    assert first[1].id == again[0].id == first[0].id
    assert Event.objects.get().props == {}
    assert EventKey.objects.get().event_id == first[0].id


def test_consumers_get_the_accepted_events_on_commit(django_capture_on_commit_callbacks):
    creator = creator_make("ana")
    seen: list[list[RecordedEvent]] = []
    consumer_register(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            results = events_record(
                events=[
                    EventIn(name="sale_made", creator_handle="ana", idempotency_key="k"),
                    EventIn(name="sale_made", creator_handle="ana", idempotency_key="k"),
                    EventIn(name="BAD", creator_handle="ana"),
                ],
                source="api",
            )
            assert seen == []
    finally:
        consumer_unregister(seen.append)
    [batch] = seen
    assert [(e.id, e.creator_id, e.name) for e in batch] == [
        (results[0].id, creator.pk, "sale_made")
    ]


def test_emit_records_an_altavoz_event():
    creator = creator_make("ana")
    result = event_emit(creator_id=creator.pk, name="lesson_started", props={"lesson": "intro"})
    event = Event.objects.get(pk=result.id)
    assert (event.source, event.name, event.props) == (
        "altavoz",
        "lesson_started",
        {"lesson": "intro"},
    )
