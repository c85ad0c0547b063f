"""The wizard's schedule step sets quiet hours, the local send time and the spread."""

from datetime import time

from tests.campaigns.test_ui_wizard import _draft_through_messages


def test_schedule_step_sets_the_sending_policies(role_client):
    client = role_client("manager")
    campaign = _draft_through_messages(client)

    page = client.get(f"/campaigns/{campaign.pk}/schedule/").content.decode()
    response = client.post(
        f"/campaigns/{campaign.pk}/schedule/",
        {
            "mode": "now",
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "09:00",
            "send_local_time": "10:00",
            "spread_hours": "2",
        },
    )

    assert 'name="quiet_hours_start"' in page and 'name="spread_hours"' in page
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.quiet_hours_start, campaign.quiet_hours_end) == (time(21), time(9))
    assert (campaign.send_local_time, campaign.spread_seconds) == (time(10), 7200)


def test_schedule_step_refuses_half_a_quiet_window(role_client):
    client = role_client("manager")
    campaign = _draft_through_messages(client)
    response = client.post(
        f"/campaigns/{campaign.pk}/schedule/", {"mode": "now", "quiet_hours_start": "21:00"}
    )
    assert response.status_code == 400
    campaign.refresh_from_db()
    assert campaign.quiet_hours_start is None
