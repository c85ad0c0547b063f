"""Behaviour leaves (received / opened / clicked / replied, lesson, enrolled, metric) select
exactly the creators a plain-Python recount over the same rows picks, alone and under `not`,
with and without windows, by campaign and by kind; bad leaves are refused with a path."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Delivery
from conversations.models import Conversation, Message
from creators.models import Creator
from education.models import LearningPathItem, LearningProgress
from events.models import Event
from programs.models import CreatorMetric, Enrolment, Program
from segments.exceptions import SegmentRulesInvalid
from segments.labels import rules_describe
from segments.rules import rules_compile
from segments.services import segment_create
from tests.support.factories import (
    campaign_make,
    creator_make,
    lesson_make,
    path_make,
    program_make,
)

pytestmark = pytest.mark.django_db

MEXICO = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=MEXICO)
CREATORS = 60


def _ago(rng: random.Random) -> datetime | None:
    """A moment over the last 60 days, sometimes exactly on a 7- or 30-day edge, or None."""
    pick = rng.random()
    if pick < 0.3:
        return None
    if pick < 0.4:
        return NOW - timedelta(days=rng.choice([7, 30]))
    return NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 60))


@pytest.fixture
def world() -> dict[str, Any]:
    """Creators with deliveries, replies, lesson progress, enrolments and daily metrics."""
    rng = random.Random(20261115)
    creators = [creator_make(f"b{n:03d}", level=n % 4) for n in range(CREATORS)]
    campaigns = [
        campaign_make(name="Anuncio 1", kind=Campaign.Kind.ANNOUNCEMENT, channels=("email",)),
        campaign_make(name="Anuncio 2", kind=Campaign.Kind.ANNOUNCEMENT, channels=("email",)),
        campaign_make(name="Misión", kind=Campaign.Kind.MISSION, channels=("email",)),
    ]
    deliveries = []
    for creator in creators:
        for campaign in campaigns:
            if rng.random() < 0.25:
                continue
            sent = _ago(rng)
            opened = sent and (_ago(rng) if rng.random() < 0.6 else None)
            clicked = opened and (_ago(rng) if rng.random() < 0.5 else None)
            status = Delivery.Status.SENT if sent and rng.random() < 0.9 else Delivery.Status.FAILED
            deliveries.append(
                Delivery(
                    campaign=campaign,
                    channel="email",
                    creator=creator,
                    locale="es-MX",
                    status=status if sent else Delivery.Status.PENDING,
                    sent_at=sent,
                    first_opened_at=opened,
                    first_clicked_at=clicked,
                )
            )
    Delivery.objects.bulk_create(deliveries)

    for creator in creators[::2]:
        conversation = Conversation.objects.create(creator=creator, phone=f"+5255{creator.pk:08d}")
        for _ in range(rng.randint(0, 3)):
            Message.objects.create(
                conversation=conversation,
                direction=rng.choice([Message.Direction.IN, Message.Direction.OUT]),
                keyword=rng.choice(["", "", "opt_out"]),
                campaign=rng.choice([*campaigns, None]),
                at=_ago(rng) or NOW - timedelta(days=90),
            )

    lessons = [lesson_make(f"leccion-{n}") for n in range(3)]
    path = path_make("curso", lessons[:2])
    progress = []
    for creator in creators:
        for lesson in lessons:
            if rng.random() < 0.4:
                continue
            started = _ago(rng)
            # Some completions have no recorded start (completing counts as starting).
            may_complete = started is not None or rng.random() < 0.2
            completed = _ago(rng) if may_complete and rng.random() < 0.6 else None
            progress.append(
                LearningProgress(
                    creator=creator,
                    item=lesson,
                    started_at=started,
                    completed_at=completed,
                    visited_at=NOW - timedelta(days=61),
                )
            )
    LearningProgress.objects.bulk_create(progress)

    active = program_make(name="Activo")
    Campaign.objects.filter(program=active).update(status=Campaign.Status.SENDING)
    draft = program_make(name="Borrador")
    ended = program_make(name="Terminado")
    Program.objects.filter(pk=ended.pk).update(
        starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30)
    )
    Campaign.objects.filter(program=ended).update(status=Campaign.Status.SENT)
    for creator in creators:
        for program in (active, draft, ended):
            if rng.random() < 0.35:
                Enrolment.objects.create(
                    program=program, creator=creator, source="link", enrolled_at=_ago(rng) or NOW
                )

    today = timezone.localdate(NOW)
    metrics = []
    for creator in creators:
        for day in range(21):
            if rng.random() < 0.3:
                continue
            metrics.append(
                CreatorMetric(
                    creator=creator,
                    date=today - timedelta(days=day),
                    metric=rng.choice(["gmv", "gmv", "videos_posted"]),
                    value=Decimal(rng.randint(0, 20000)) / 100,
                )
            )
    CreatorMetric.objects.bulk_create(metrics)

    events = []
    for creator in creators:
        for _ in range(rng.randint(0, 5)):
            props: dict[str, Any] = {}
            if rng.random() < 0.8:
                props["amount"] = rng.choice([rng.randint(0, 300), "150", 99.5])
            if rng.random() < 0.7:
                props["channel"] = rng.choice(["web", "app", "live"])
            events.append(
                Event(
                    creator=creator,
                    name=rng.choice(["sale_made", "sale_made", "video_posted"]),
                    props=props,
                    occurred_at=_ago(rng) or NOW - timedelta(days=45),
                    received_at=NOW,
                    source=Event.Source.API,
                )
            )
    Event.objects.bulk_create(events)
    return {
        "campaigns": campaigns,
        "lessons": lessons,
        "path": path,
        "programs": {"active": active, "draft": draft, "ended": ended},
    }


# --- the independent recount ------------------------------------------------------------


def _since(leaf: dict[str, Any]) -> datetime | None:
    days = leaf.get("within_days")
    return None if days is None else NOW - timedelta(days=days)


def _in_scope(campaign_id: int | None, leaf: dict[str, Any], kinds: dict[int, str]) -> bool:
    if campaign_id is None:
        return False
    if "campaign_id" in leaf:
        return campaign_id == leaf["campaign_id"]
    if "kind" in leaf:
        return kinds[campaign_id] == leaf["kind"]
    return True


def _recent(moment: datetime | None, since: datetime | None) -> bool:
    return moment is not None and (since is None or moment >= since)


def _rows(model: Any) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], list(model.objects.values()))


def _delivery_recount(leaf: dict[str, Any], kinds: dict[int, str]) -> set[int]:
    behaviour, since = leaf["behaviour"], _since(leaf)
    column = {"received": "sent_at", "opened": "first_opened_at", "clicked": "first_clicked_at"}
    matched = set()
    for row in _rows(Delivery):
        if behaviour == "received" and row["status"] != "sent":
            continue
        moment = row[column[behaviour]]
        if _in_scope(row["campaign_id"], leaf, kinds) and _recent(moment, since):
            matched.add(row["creator_id"])
    return matched


def _replied_recount(leaf: dict[str, Any], kinds: dict[int, str]) -> set[int]:
    owner = dict(Conversation.objects.values_list("id", "creator_id"))
    matched = set()
    for row in _rows(Message):
        if row["direction"] == "in" and row["keyword"] == "":
            if _in_scope(row["campaign_id"], leaf, kinds) and _recent(row["at"], _since(leaf)):
                matched.add(owner[row["conversation_id"]])
    return matched


def _lesson_recount(leaf: dict[str, Any], kinds: dict[int, str]) -> set[int]:
    since = _since(leaf)
    done: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in _rows(LearningProgress):
        done[row["creator_id"]][row["item_id"]] = row
    wanted = (
        [leaf["lesson_id"]]
        if "lesson_id" in leaf
        else list(
            LearningPathItem.objects.filter(path_id=leaf["path_id"]).values_list(
                "item_id", flat=True
            )
        )
    )
    matched = set()
    for creator_id, items in done.items():
        reached = {}
        for item_id in wanted:
            progress = items.get(item_id)
            if progress is None:
                continue
            if leaf["stage"] == "completed":
                moment = progress["completed_at"]
            else:
                moment = progress["started_at"] or progress["completed_at"]
            if moment is not None:
                reached[item_id] = moment
        if leaf["stage"] == "completed" and "path_id" in leaf:
            if wanted and len(reached) == len(wanted) and _recent(max(reached.values()), since):
                matched.add(creator_id)
        elif any(_recent(moment, since) for moment in reached.values()):
            matched.add(creator_id)
    return matched


def _enrolled_recount(leaf: dict[str, Any], kinds: dict[int, str]) -> set[int]:
    today = timezone.localdate(NOW)
    programs = {program.pk: program for program in Program.objects.select_related("campaign")}
    matched = set()
    for row in _rows(Enrolment):
        program = programs[row["program_id"]]
        if "program_id" in leaf:
            scoped = program.pk == leaf["program_id"]
        else:
            scoped = (
                program.starts_on <= today <= program.ends_on
                and program.campaign.status not in ("draft", "cancelled")
            )
        if scoped and _recent(row["enrolled_at"], _since(leaf)):
            matched.add(row["creator_id"])
    return matched


def _prop_matches(props: dict[str, Any], rule: dict[str, Any]) -> bool:
    """A prop condition as jsonpath reads it: values of different types never compare."""
    if "all" in rule:
        return all(_prop_matches(props, child) for child in rule["all"])
    if "any" in rule:
        return any(_prop_matches(props, child) for child in rule["any"])
    if "not" in rule:
        return not _prop_matches(props, rule["not"])
    op, wanted = rule["op"], rule["value"]
    if op == "is_set":
        return (props.get(rule["field"]) is not None) == wanted
    if rule["field"] not in props:
        return op in ("ne", "not_in")
    actual = props[rule["field"]]

    def same(left: Any, right: Any) -> bool:
        return isinstance(left, str) == isinstance(right, str)

    if op in ("in", "not_in"):
        found = any(same(actual, item) and actual == item for item in wanted)
        return found if op == "in" else not found
    if op in ("eq", "ne"):
        found = same(actual, wanted) and actual == wanted
        return found if op == "eq" else not found
    if not same(actual, wanted):
        return False
    return {
        "gt": actual > wanted,
        "gte": actual >= wanted,
        "lt": actual < wanted,
        "lte": actual <= wanted,
    }[op]


def _event_recount(leaf: dict[str, Any], kinds: dict[int, str]) -> set[int]:
    counts: dict[int, int] = defaultdict(int)
    for row in _rows(Event):
        if row["name"] != leaf["name"] or not _recent(row["occurred_at"], _since(leaf)):
            continue
        if "where" in leaf and not _prop_matches(row["props"], leaf["where"]):
            continue
        counts[row["creator_id"]] += 1
    everyone = Creator.objects.values_list("id", flat=True)
    if "count_lte" in leaf:
        return {pk for pk in everyone if counts[pk] <= leaf["count_lte"]}
    if "count_eq" in leaf:
        return {pk for pk in everyone if counts[pk] == leaf["count_eq"]}
    return {pk for pk in everyone if counts[pk] >= leaf.get("count_gte", 1)}


def recount(leaf: dict[str, Any]) -> set[int]:
    """The ids of creators the leaf selects, computed from rows read back one table at a time."""
    kinds = dict(Campaign.objects.values_list("id", "kind"))
    counter = {
        "received": _delivery_recount,
        "opened": _delivery_recount,
        "clicked": _delivery_recount,
        "replied": _replied_recount,
        "lesson": _lesson_recount,
        "enrolled": _enrolled_recount,
        "metric": lambda leaf, kinds: _metric_recount(leaf),
        "event": _event_recount,
    }[leaf["behaviour"]]
    return counter(leaf, kinds)


def _metric_recount(leaf: dict[str, Any]) -> set[int]:
    today = timezone.localdate(NOW)
    days = leaf["within_days"]
    current: dict[int, list[Decimal]] = defaultdict(list)
    before: dict[int, list[Decimal]] = defaultdict(list)
    for row in CreatorMetric.objects.filter(metric=leaf["metric"]).values():
        age = (today - row["date"]).days
        if 0 <= age < days:
            current[row["creator_id"]].append(row["value"])
        elif days <= age < 2 * days:
            before[row["creator_id"]].append(row["value"])
    value = Decimal(str(leaf["value"]))
    compare = {
        "gt": lambda a: a > value,
        "gte": lambda a: a >= value,
        "lt": lambda a: a < value,
        "lte": lambda a: a <= value,
        "eq": lambda a: a == value,
    }[leaf["op"]]
    matched = set()
    for creator_id in Creator.objects.values_list("id", flat=True):
        now_values, old_values = current[creator_id], before[creator_id]
        if leaf["aggregate"] == "sum":
            figure: Decimal | None = sum(now_values, Decimal(0))
        elif leaf["aggregate"] == "avg":
            figure = sum(now_values, Decimal(0)) / len(now_values) if now_values else None
        else:
            old = sum(old_values, Decimal(0))
            figure = (sum(now_values, Decimal(0)) - old) * 100 / abs(old) if old else None
        if figure is not None and compare(figure):
            matched.add(creator_id)
    return matched


def _selected(rules: dict[str, Any]) -> set[int]:
    return set(Creator.objects.filter(rules_compile(rules, now=NOW)).values_list("id", flat=True))


def _leaves(world: dict[str, Any]) -> list[dict[str, Any]]:
    first, second, mission = (campaign.pk for campaign in world["campaigns"])
    lessons, path, programs = world["lessons"], world["path"], world["programs"]
    leaves: list[dict[str, Any]] = []
    for behaviour in ("received", "opened", "clicked", "replied"):
        leaves += [
            {"behaviour": behaviour},
            {"behaviour": behaviour, "campaign_id": first},
            {"behaviour": behaviour, "campaign_id": mission, "within_days": 7},
            {"behaviour": behaviour, "kind": "announcement", "within_days": 30},
            {"behaviour": behaviour, "kind": "mission"},
            {"behaviour": behaviour, "campaign_id": second, "within_days": 30},
        ]
    for stage in ("started", "completed"):
        leaves += [
            {"behaviour": "lesson", "stage": stage, "lesson_id": lessons[0].pk},
            {"behaviour": "lesson", "stage": stage, "lesson_id": lessons[2].pk, "within_days": 7},
            {"behaviour": "lesson", "stage": stage, "path_id": path.pk},
            {"behaviour": "lesson", "stage": stage, "path_id": path.pk, "within_days": 30},
        ]
    leaves += [
        {"behaviour": "enrolled", "active": True},
        {"behaviour": "enrolled", "active": True, "within_days": 30},
        {"behaviour": "enrolled", "program_id": programs["draft"].pk},
        {"behaviour": "enrolled", "program_id": programs["ended"].pk, "within_days": 7},
    ]
    leaves += [
        {"behaviour": "metric", "metric": "gmv", "aggregate": "sum", "within_days": 7,
         "op": "gte", "value": 300},
        {"behaviour": "metric", "metric": "gmv", "aggregate": "sum", "within_days": 7,
         "op": "lt", "value": 50},
        {"behaviour": "metric", "metric": "videos_posted", "aggregate": "avg",
         "within_days": 10, "op": "gt", "value": "100.5"},
        {"behaviour": "metric", "metric": "gmv", "aggregate": "change", "within_days": 7,
         "op": "lte", "value": -30},
        {"behaviour": "metric", "metric": "gmv", "aggregate": "change", "within_days": 7,
         "op": "gte", "value": 25},
    ]  # fmt: skip
    amount_100 = {"field": "amount", "op": "gte", "value": 100}
    leaves += [
        {"behaviour": "event", "name": "sale_made"},
        {"behaviour": "event", "name": "sale_made", "count_gte": 2, "within_days": 30},
        {"behaviour": "event", "name": "sale_made", "count_lte": 1, "within_days": 7},
        {"behaviour": "event", "name": "video_posted", "count_eq": 0},
        {"behaviour": "event", "name": "sale_made", "count_eq": 2},
        {"behaviour": "event", "name": "sale_made", "count_gte": 0},
        {"behaviour": "event", "name": "sale_made", "where": amount_100},
        {"behaviour": "event", "name": "sale_made", "within_days": 30, "where": {"any": [
            {"field": "channel", "op": "in", "value": ["web", "app"]},
            {"not": {"field": "amount", "op": "lt", "value": 50}},
        ]}},
        {"behaviour": "event", "name": "sale_made", "where": {"all": [
            {"field": "channel", "op": "ne", "value": "live"},
            {"field": "amount", "op": "eq", "value": "150"},
        ]}},
        {"behaviour": "event", "name": "sale_made", "count_gte": 2,
         "where": {"field": "channel", "op": "is_set", "value": False}},
        {"behaviour": "event", "name": "sale_made",
         "where": {"field": "channel", "op": "not_in", "value": ["live", "web"]}},
        {"behaviour": "event", "name": "sale_made",
         "where": {"field": "amount", "op": "lte", "value": 99.5}},
    ]  # fmt: skip
    return leaves


def test_each_leaf_matches_the_recount(world):
    everyone = set(Creator.objects.values_list("id", flat=True))
    for leaf in _leaves(world):
        expected = recount(leaf)
        assert _selected(leaf) == expected, leaf
        assert _selected({"not": leaf}) == everyone - expected, leaf
        # A sentence for every leaf, and not a vacuous test: each leaf splits the creators.
        assert rules_describe(leaf)
    splitting = [leaf for leaf in _leaves(world) if 0 < len(recount(leaf)) < len(everyone)]
    assert len(splitting) >= len(_leaves(world)) - 7  # count_gte 0 is everyone


def test_behaviour_and_column_leaves_combine_in_one_statement(world, django_assert_num_queries):
    first = world["campaigns"][0].pk
    rules = {
        "all": [
            {"field": "level", "op": "gte", "value": 1},
            {"behaviour": "opened", "campaign_id": first, "within_days": 30},
            {"not": {"behaviour": "enrolled", "active": True}},
        ]
    }
    expected = {
        creator_id
        for creator_id in recount({"behaviour": "opened", "campaign_id": first, "within_days": 30})
        if Creator.objects.get(pk=creator_id).level >= 1
    } - recount({"behaviour": "enrolled", "active": True})
    with django_assert_num_queries(1):
        assert _selected(rules) == expected
    assert expected


def test_sentences_read_like_the_rule(world):
    first = world["campaigns"][0].pk
    assert rules_describe({"behaviour": "clicked", "campaign_id": first, "within_days": 7}) == (
        f"Clicked campaign {first} in the last 7 days"
    )
    assert rules_describe(
        {"not": {"behaviour": "opened", "kind": "announcement", "within_days": 30}}
    ) == ("NOT opened any campaign of the kind Announcement in the last 30 days")
    assert (
        rules_describe(
            {
                "behaviour": "metric",
                "metric": "gmv",
                "aggregate": "change",
                "within_days": 7,
                "op": "lte",
                "value": -30,
            }
        )
        == "GMV (MXN) of the last 7 days against the 7 days before is at most -30%"
    )


@pytest.mark.parametrize(
    ("leaf", "path", "words"),
    [
        ({"behaviour": "waved"}, "behaviour", "unknown behaviour"),
        ({"behaviour": "clicked", "campaign_id": 0}, "campaign_id", "expected an id"),
        ({"behaviour": "clicked", "campaign_id": 1, "kind": "mission"}, "kind", "only one"),
        ({"behaviour": "opened", "kind": "newsletter"}, "kind", "is not one of"),
        ({"behaviour": "received", "within_days": 0}, "within_days", "days from 1"),
        ({"behaviour": "received", "days": 3}, "days", "unknown key"),
        ({"behaviour": "lesson", "lesson_id": 3}, "", 'missing "stage"'),
        ({"behaviour": "lesson", "stage": "started"}, "", "give one of"),
        ({"behaviour": "enrolled", "active": False}, "active", "expected true"),
        ({"behaviour": "event", "name": "Sale made"}, "name", "lower-case"),
        ({"behaviour": "event", "name": "sale_made", "count_gte": 1, "count_eq": 2},
         "count_eq", "only one"),
        ({"behaviour": "event", "name": "sale_made", "count_lte": -1}, "count_lte", "from 0"),
        ({"behaviour": "event", "name": "sale_made",
          "where": {"field": "amount", "op": "gte", "value": [1]}}, "where.value", "number"),
        ({"behaviour": "event", "name": "sale_made",
          "where": {"any": [{"field": "a-b", "op": "eq", "value": 1}]}}, "where.any[0].field",
         "prop name"),
        ({"behaviour": "event", "name": "sale_made",
          "where": {"field": "note", "op": "in", "value": ["a\x00b"]}}, "where.value[0]", "NUL"),
        ({"behaviour": "metric", "metric": "gmv", "aggregate": "sum", "within_days": 7,
          "op": "gte", "value": "lots"}, "value", "expected a number"),
    ],
)  # fmt: skip
def test_bad_leaves_are_refused_with_a_path(db, leaf, path, words):
    with pytest.raises(SegmentRulesInvalid) as raised:
        rules_compile({"all": [leaf]})
    assert raised.value.path == ("all[0]." + path if path else "all[0]")
    assert words in raised.value.reason


def test_api_refuses_a_bad_behaviour_leaf_with_400(api_client):
    response = api_client.post(
        "/api/segments",
        {"name": "Bad", "rules": {"any": [{"behaviour": "clicked", "within_days": "7"}]}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["path"] == "any[0].within_days"


def test_api_creates_a_behaviour_segment(api_client):
    creator = creator_make("ana")
    campaign = campaign_make(channels=("email",))
    Delivery.objects.create(
        campaign=campaign,
        channel="email",
        creator=creator,
        locale="es-MX",
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        first_clicked_at=timezone.now(),
    )
    creator_make("beto")
    response = api_client.post(
        "/api/segments",
        {"name": "Clicked", "rules": {"behaviour": "clicked", "campaign_id": campaign.pk}},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["count"] == 1


def test_segment_page_reads_a_behaviour_rule(role_client):
    client = role_client("editor")
    segment = segment_create(
        name="Vendieron",
        rules={"behaviour": "event", "name": "sale_made", "count_gte": 2, "within_days": 30},
        created_by=client.user,
    )
    page = client.get(f"/segments/{segment.pk}/").content.decode()
    assert "Did sale_made at least 2 times in the last 30 days" in page
