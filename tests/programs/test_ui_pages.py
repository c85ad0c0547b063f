"""The program pages answer for the roles that may see them, and refuse the others."""

import io

from campaigns.models import Campaign
from programs.models import Program
from tests.support.factories import campaign_make, creators_make, program_make


def test_manager_creates_a_program_imports_metrics_and_sees_the_pages(db, role_client):
    creators_make(3)
    campaign = campaign_make(name="Misión LIVE", channels=("inbox",))
    client = role_client("manager")

    response = client.post(
        "/programs/new/",
        {
            "campaign": campaign.pk,
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
            "metric": "live_hours",
            "threshold": "10",
            "rules_url": "https://altavoz.example/r",
            "blackout": "2026-11-20, 2026-11-21",
            "prize_lines": "1: Aro de luz",
            "locale_list": ["es-MX"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    program = Program.objects.get(campaign=campaign)
    assert program.blackout_dates == ["2026-11-20", "2026-11-21"]
    assert program.prizes == [{"rank": 1, "prize": "Aro de luz"}]

    assert client.post(f"/programs/{program.pk}/enrol/").status_code == 302
    upload = io.BytesIO(
        b"handle,date,metric,value\ncreador_1,2026-11-03,live_hours,6\nx,bad,gmv,1\n"
    )
    upload.name = "metrics.csv"
    page = client.post(f"/programs/{program.pk}/metrics/", {"file": upload}).content.decode()
    assert "1 values imported, 1 rejected" in page
    assert "<td>3</td><td><code>date</code></td>" in page

    board = client.get(f"/programs/{program.pk}/leaderboard/").content.decode()
    assert board.index("@creador_1") < board.index("@creador_0")
    assert "Aro de luz" in board
    for url in (
        "/programs/",
        f"/programs/{program.pk}/",
        "/programs/calendar/?view=week",
        f"/programs/{program.pk}/post-mortem/",
        f"/campaigns/{campaign.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    csv_text = client.get(f"/programs/{program.pk}/post-mortem.csv").content.decode()
    assert "totals,enrolments,3" in csv_text


def test_analyst_reads_but_cannot_override_or_import(db, role_client):
    creators_make(1)
    program = program_make()
    client = role_client("analyst")

    assert client.get(f"/programs/{program.pk}/").status_code == 200
    assert client.get(f"/programs/readiness/{program.campaign_id}/").status_code == 200
    response = client.post(
        f"/programs/readiness/{program.campaign_id}/override/", {"reason": "Porque sí, ya."}
    )
    assert response.status_code == 403
    assert client.post(f"/programs/{program.pk}/metrics/").status_code == 403
    assert Campaign.objects.get(pk=program.campaign_id).status == Campaign.Status.DRAFT
