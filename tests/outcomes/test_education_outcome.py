"""A lesson's and a path's page show their creators' metric before and after, by how far they
got, labelled correlational; the figures are each group's window sums from CreatorMetric."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from education.models import LearningProgress
from outcomes.education import education_outcome_compute
from programs.models import CreatorMetric
from tests.support.factories import creators_make, lesson_make, path_make, user_make


def _progress(creator, item, *, day, completed: bool, started: bool = True) -> None:
    at = datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())
    LearningProgress.objects.create(
        creator=creator,
        item=item,
        visited_at=at,
        started_at=at if started else None,
        completed_at=at if completed else None,
        percent=100 if completed else 10,
    )


def _daily(creator, first, days: int, value: str) -> list[CreatorMetric]:
    return [
        CreatorMetric(
            creator=creator, date=first + timedelta(days=i), metric="gmv", value=Decimal(value)
        )
        for i in range(days)
    ]


def test_lesson_groups_creators_by_how_far_they_got(db):
    creators = creators_make(7, devices=False)
    lesson = lesson_make()
    day = timezone.localdate() - timedelta(days=20)
    rows = []
    for creator in creators[:3]:  # completed: 10 a day before, 30 a day after
        _progress(creator, lesson, day=day, completed=True)
        rows += _daily(creator, day - timedelta(days=14), 14, "10")
        rows += _daily(creator, day, 14, "30")
    for creator in creators[3:5]:  # started only: 10 a day throughout
        _progress(creator, lesson, day=day, completed=False)
        rows += _daily(creator, day - timedelta(days=14), 28, "10")
    _progress(creators[5], lesson, day=day, completed=False, started=False)
    CreatorMetric.objects.bulk_create(rows)

    groups = {
        group.group: group
        for group in education_outcome_compute(items=[lesson.pk], metric="gmv", window_days=14)
    }

    assert {name: group.creators for name, group in groups.items()} == {
        "completed": 3,
        "started": 2,
        "visited": 1,
        "not_reached": 1,
    }
    assert (groups["completed"].mean_before, groups["completed"].mean_after) == (140.0, 420.0)
    assert groups["completed"].change is not None
    assert groups["completed"].change.estimate == 280.0
    assert groups["started"].change is not None and groups["started"].change.estimate == 0.0
    assert groups["visited"].change is None  # one creator: too small to say


def test_path_is_completed_only_when_every_item_is(db, client):
    first, second = creators_make(2, devices=False)
    lessons = [lesson_make("luz"), lesson_make("sonido")]
    path = path_make("video", lessons)
    day = timezone.localdate() - timedelta(days=3)
    for lesson in lessons:
        _progress(first, lesson, day=day, completed=True)
    _progress(second, lessons[0], day=day, completed=True)

    groups = education_outcome_compute(
        items=[lesson.pk for lesson in lessons], metric="gmv", window_days=14
    )

    assert [(group.group, group.creators) for group in groups] == [
        ("completed", 1),
        ("started", 1),
        ("visited", 0),
        ("not_reached", 0),
    ]
    client.force_login(user_make("editora", role="manager"))
    html = client.get(f"/education/paths/{path.pk}/").content.decode()
    assert 'id="education-outcome"' in html
    assert "Correlational: GMV (MXN) per creator over the 14 days" in html
    html = client.get(f"/education/{lessons[0].pk}/?outcome_window=7").content.decode()
    assert 'data-group="completed"' in html and "over the 7 days" in html
