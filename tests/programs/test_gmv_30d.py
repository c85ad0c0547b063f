"""gmv_30d always equals the sum of the last 30 days of `gmv` metrics after an import: CSV
and API, re-imports replacing a day, creators with no rows (0), the day rollover, and the
creator import's own gmv_30d column ignored. The expected figures are recomputed here in
Python from the metric rows."""

import io
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from creators.demo import creators_seed_demo
from creators.importer import creator_import_csv
from creators.models import Creator
from programs import gmv, metric_import
from programs.demo import creator_metrics_demo_create
from programs.gmv import gmv_30d_refresh
from programs.models import CreatorMetric
from tests.creators.csvfiles import creator_row, csv_bytes
from tests.support.factories import creators_make


def expected_gmv(today: date | None = None) -> dict[int, Decimal]:
    today = today or timezone.localdate()
    sums: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for creator_id, day, value in CreatorMetric.objects.filter(metric="gmv").values_list(
        "creator_id", "date", "value"
    ):
        if today - timedelta(days=29) <= day <= today:
            sums[creator_id] += value
    return {pk: sums[pk] for pk in Creator.objects.values_list("pk", flat=True)}


def actual_gmv() -> dict[int, Decimal]:
    return dict(Creator.objects.values_list("pk", "gmv_30d"))


def _csv(lines: list[str]) -> metric_import.MetricImportResult:
    text = "handle,date,metric,value\n" + "".join(line + "\n" for line in lines)
    return metric_import.creator_metrics_import_csv(file=io.BytesIO(text.encode()))


def test_after_a_csv_import_gmv_30d_is_the_sum_of_the_last_30_days(db):
    creators_make(5)
    # A stale figure from before metrics were the source: the import must not keep it.
    Creator.objects.filter(handle="creador_4").update(gmv_30d=Decimal("999.00"))
    today = timezone.localdate()
    day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
    result = _csv(
        [
            f"creador_0,{day(0)},gmv,100.25",
            f"creador_0,{day(29)},gmv,50",  # the window's first day
            f"creador_0,{day(30)},gmv,7000",  # one day too old
            f"creador_1,{day(3)},gmv,10",
            f"creador_1,{day(3)},videos_posted,4",  # not GMV
            f"creador_2,{day(45)},gmv,80",  # only old rows: 0
            f"creador_4,{day(1)},gmv,1.5",
        ]
    )
    assert result.errors == []
    assert actual_gmv() == expected_gmv()
    assert actual_gmv()[Creator.objects.get(handle="creador_0").pk] == Decimal("150.25")
    # creador_3 has no rows at all: 0.
    assert Creator.objects.get(handle="creador_3").gmv_30d == Decimal("0")


def test_a_re_import_replacing_a_day_moves_gmv_30d_up_and_down(db):
    creators_make(2)
    today = timezone.localdate().isoformat()
    _csv([f"creador_0,{today},gmv,500", f"creador_1,{today},gmv,20"])
    assert actual_gmv() == expected_gmv()
    _csv([f"creador_0,{today},gmv,5"])
    assert Creator.objects.get(handle="creador_0").gmv_30d == Decimal("5.00")
    _csv([f"creador_0,{today},gmv,0", f"creador_1,{today},gmv,20.10"])
    assert actual_gmv() == expected_gmv()
    assert set(actual_gmv().values()) == {Decimal("0.00"), Decimal("20.10")}


def test_the_api_import_refreshes_gmv_30d_too(api_client):
    creators_make(3)
    today = timezone.localdate()
    rows = [
        {
            "handle": f"creador_{i}",
            "date": (today - timedelta(days=i)).isoformat(),
            "metric": "gmv",
            "value": str(100 * (i + 1)),
        }
        for i in range(3)
    ] + [
        {
            "handle": "creador_0",
            "date": (today - timedelta(days=2)).isoformat(),
            "metric": "gmv",
            "value": "0.75",
        }
    ]
    response = api_client.post(
        "/api/creator-metrics", {"rows": rows}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 4, "rejected": 0, "errors": []}
    assert actual_gmv() == expected_gmv()
    assert Creator.objects.get(handle="creador_0").gmv_30d == Decimal("100.75")


def test_the_daily_refresh_drops_the_day_that_left_the_window(db):
    creators_make(2)
    today = timezone.localdate()
    _csv(
        [
            f"creador_0,{(today - timedelta(days=29)).isoformat()},gmv,40",
            f"creador_0,{today.isoformat()},gmv,2",
        ]
    )
    assert Creator.objects.get(handle="creador_0").gmv_30d == Decimal("42.00")
    tomorrow = today + timedelta(days=1)
    assert gmv_30d_refresh(today=tomorrow) == 1
    assert actual_gmv() == expected_gmv(tomorrow)
    assert Creator.objects.get(handle="creador_0").gmv_30d == Decimal("2.00")
    # The command does the same for today (and changes nothing more).
    out = io.StringIO()
    call_command("gmv_30d_refresh", stdout=out)
    assert "creators changed" in out.getvalue()
    assert actual_gmv() == expected_gmv()


def test_a_creator_import_cannot_set_gmv_30d(db):
    creators_make(1)
    today = timezone.localdate().isoformat()
    _csv([f"creador_0,{today},gmv,300"])
    result = creator_import_csv(
        file=io.BytesIO(
            csv_bytes(
                [creator_row("creador_0", gmv_30d="5000"), creator_row("nueva", gmv_30d="77")]
            )
        )
    )
    assert (result.created, result.updated) == (1, 1)
    assert Creator.objects.get(handle="creador_0").gmv_30d == Decimal("300.00")
    assert Creator.objects.get(handle="nueva").gmv_30d == Decimal("0")
    assert actual_gmv() == expected_gmv()


def test_the_demo_writes_its_gmv_as_metrics_that_give_the_same_figures(db):
    creators_seed_demo(count=300, seed=7)
    before = actual_gmv()
    assert creator_metrics_demo_create() > 0
    assert actual_gmv() == before == expected_gmv()
    # Every one of the last 30 days has data (the rows are staggered by creator).
    today = timezone.localdate()
    days = set(CreatorMetric.objects.filter(metric="gmv").values_list("date", flat=True))
    assert days == {today - timedelta(days=n) for n in range(30)}


def test_a_large_import_refreshes_in_one_pass_with_the_same_result(db, monkeypatch):
    # Past PER_CREATOR_LIMIT creators the refresh does everyone in one pass instead of each
    # by index; a limit of 1 takes that path with a few creators.
    monkeypatch.setattr(gmv, "PER_CREATOR_LIMIT", 1)
    creators_make(6)
    today = timezone.localdate()
    lines = [
        f"creador_{i},{(today - timedelta(days=d)).isoformat()},gmv,{i * 10 + d}"
        for i in range(5)
        for d in (0, 12, 29, 30)
    ]
    result = _csv(lines)
    assert result.gmv_refreshed == 5
    assert actual_gmv() == expected_gmv()
