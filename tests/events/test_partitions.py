"""Monthly partitions: made ahead, a late month takes its rows from the default partition,
and months past the retention are dropped with their idempotency keys."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event, EventKey
from events.partitions import event_partitions_ensure, event_partitions_list, event_partitions_prune
from events.services import EventIn, EventStatus, events_record
from tests.support.factories import creator_make

pytestmark = pytest.mark.django_db


def _partition_of(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM events_event WHERE id = %s", [event_id]
        )
        return cursor.fetchone()[0]


def _month(moment: datetime) -> str:
    return f"events_event_p{moment.astimezone(UTC):%Y%m}"


def test_this_month_and_the_next_ones_exist_after_migrate(settings):
    names = {partition.name for partition in event_partitions_list()}
    now = timezone.now()
    assert _month(now) in names
    assert len([n for n in names if n > _month(now)]) >= settings.EVENTS_PARTITIONS_AHEAD_MONTHS
    assert event_partitions_ensure() == []  # idempotent


def test_events_land_in_their_month():
    creator_make("ana")
    [result] = events_record(events=[EventIn(name="sale_made", creator_handle="ana")], source="api")
    assert _partition_of(result.id) == _month(timezone.now())


def test_a_month_made_late_takes_its_rows_from_the_default_partition():
    creator_make("ana")
    past = timezone.now() - timedelta(days=70)
    assert _month(past) not in {p.name for p in event_partitions_list()}
    [result] = events_record(
        events=[EventIn(name="sale_made", creator_handle="ana", occurred_at=past)], source="api"
    )
    assert _partition_of(result.id) == "events_event_default"

    assert event_partitions_ensure(now=past, months_ahead=0) == [_month(past)]
    assert _partition_of(result.id) == _month(past)
    assert Event.objects.get(pk=result.id).occurred_at == past


def test_months_past_the_retention_are_dropped_with_their_keys(settings):
    creator_make("ana")
    now = timezone.now()
    old, recent = now - timedelta(days=95), now - timedelta(days=5)
    event_partitions_ensure(now=old, months_ahead=0)
    results = events_record(
        events=[
            EventIn(name="sale_made", creator_handle="ana", occurred_at=old, idempotency_key="o"),
            EventIn(name="sale_made", creator_handle="ana", occurred_at=recent),
        ],
        source="api",
    )
    EventKey.objects.filter(key="o").update(created_at=old)
    settings.EVENTS_RETENTION_DAYS = 40

    outcome = event_partitions_prune(now=now)

    assert _month(old) in outcome.partitions_dropped
    assert _month(now) not in outcome.partitions_dropped
    assert outcome.keys_deleted == 1
    assert list(Event.objects.values_list("id", flat=True)) == [results[1].id]
    # Its key is gone with it, and an event older than the retention is now refused.
    [again] = events_record(
        events=[
            EventIn(name="sale_made", creator_handle="ana", occurred_at=old, idempotency_key="o")
        ],
        source="api",
    )
    assert again.status == EventStatus.REFUSED


def test_old_rows_in_the_default_partition_are_deleted(settings):
    creator_make("ana")
    now = timezone.now()
    settings.EVENTS_RETENTION_DAYS = 4000
    ancient = now - timedelta(days=3000)
    [result] = events_record(
        events=[EventIn(name="sale_made", creator_handle="ana", occurred_at=ancient)], source="api"
    )
    assert _partition_of(result.id) == "events_event_default"
    settings.EVENTS_RETENTION_DAYS = 400
    assert event_partitions_prune(now=now).default_rows_deleted == 1
    assert not Event.objects.exists()
