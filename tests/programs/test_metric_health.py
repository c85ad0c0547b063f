"""The metric health page: last import per metric, its rows and rejects, and gaps."""

import io
from datetime import timedelta

from django.utils import timezone

from programs import metric_health, metric_import
from tests.support.factories import creators_make


def _csv(text: str, name: str = "metricas.csv"):
    upload = io.BytesIO(text.encode())
    upload.name = name
    return upload


def test_gaps_and_last_import_per_metric(db):
    creators_make(2)
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(1, 8)]
    # gmv on every day of the last week but the 3rd and 4th; videos on one day.
    lines = [f"creador_0,{day.isoformat()},gmv,10" for i, day in enumerate(days) if i not in (2, 3)]
    metric_import.creator_metrics_import_csv(
        file=_csv("handle,date,metric,value\n" + "\n".join(lines) + "\n")
    )
    metric_import.creator_metrics_import_csv(
        file=_csv(
            "handle,date,metric,value\n"
            f"creador_1,{days[0].isoformat()},videos_posted,2\n"
            f"nadie,{days[0].isoformat()},videos_posted,2\n"
        )
    )
    health = {row.metric: row for row in metric_health.metric_health_get(days=7, today=today)}

    gmv = health["gmv"]
    assert gmv.gaps == sorted([days[2], days[3]])
    assert gmv.gap_ranges == [(days[3], days[2])]
    assert (gmv.days_with_data, gmv.rows, gmv.last_import.rejected) == (5, 5, 0)
    videos = health["videos_posted"]
    assert (videos.days_with_data, videos.rows, videos.last_import.rejected) == (1, 1, 1)
    assert health["live_hours"].last_import is None
    assert len(health["live_hours"].gaps) == 7


def test_the_page_shows_health_and_imports_with_line_field_and_message(db, role_client):
    creators_make(1)
    manager = role_client("manager")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = manager.post(
        "/programs/metrics/import/",
        {
            "file": _csv(
                f"handle,date,metric,value,extra\ncreador_0,{day},gmv,12\nnadie,{day},gmv,1\n"
            )
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 values imported, 1 rejected" in html
    assert (
        "<td>3</td><td><code>handle</code></td><td>No creator with the handle “nadie”.</td>" in html
    )
    assert "Unknown column “extra”" in html
    assert 'data-metric="gmv"' in html and "metricas.csv" in html

    analyst = role_client("analyst")
    assert analyst.get("/programs/metrics/").status_code == 200
    assert analyst.post("/programs/metrics/import/", {"file": _csv("x")}).status_code == 403
    spanish = analyst.get("/programs/metrics/", HTTP_ACCEPT_LANGUAGE="es-mx")
    assert spanish.status_code == 200
