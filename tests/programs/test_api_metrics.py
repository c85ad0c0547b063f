"""Metrics over the API: rows land, bad ones come back by position, progress follows."""

from decimal import Decimal

from programs import selectors, services
from tests.support.factories import creators_make, program_make


def test_metrics_posted_by_api_move_the_leaderboard(api_client):
    creators_make(2)
    program = program_make(kind="competition", threshold=None, metric="videos_posted")
    services.program_enrol_eligible(program=program)

    response = api_client.post(
        "/api/creator-metrics",
        {
            "rows": [
                {
                    "handle": "creador_1",
                    "date": "2026-11-05",
                    "metric": "videos_posted",
                    "value": "4",
                },
                {"handle": "creador_0", "date": "2026-11-05", "metric": "likes", "value": "9"},
                {
                    "handle": "creador_0",
                    "date": "2026-11-06",
                    "metric": "videos_posted",
                    "value": "1",
                },
            ]
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["imported"] == 2
    assert [error["row"] for error in response.json()["errors"]] == [2]
    board = api_client.get(f"/api/programs/{program.pk}/leaderboard").json()
    assert [(row["handle"], Decimal(row["total"])) for row in board] == [
        ("creador_1", Decimal("4")),
        ("creador_0", Decimal("1")),
    ]
    assert selectors.program_leaderboard(program=program)[0]["rank"] == 1
