"""The home page: runs in progress with live figures, upcoming sends, the week's rates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import fanout, runs, services
from campaigns.models import Campaign, Delivery
from dashboard import selectors
from tests.support.factories import campaign_make, creators_make
from tracking.models import Rollup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_delivery_counts(settings):
    settings.TRACKING_DELIVERY_COUNTS_TTL = 0


def launched(name: str = "Misión de noviembre", channels=("whatsapp", "email")) -> Campaign:
    """A campaign launched through the service, its deliveries created by the real fan-out
    (the on-commit task never runs inside a test transaction)."""
    campaign = services.campaign_launch(campaign=campaign_make(name=name, channels=channels))
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    return campaign


def settle(campaign: Campaign, channel: str, status: str, count: int) -> None:
    ids = Delivery.objects.filter(
        campaign=campaign, channel=channel, status=Delivery.Status.PENDING
    ).values_list("id", flat=True)[:count]
    Delivery.objects.filter(id__in=list(ids)).update(status=status)


def test_sending_campaign_shows_sent_failed_and_remaining(role_client):
    creators_make(10)
    campaign = launched()
    settle(campaign, "whatsapp", Delivery.Status.SENT, 6)
    settle(campaign, "email", Delivery.Status.FAILED, 1)

    response = role_client("analyst").get("/home/runs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-campaign="{campaign.pk}"' in html
    assert "6 sent" in html and "1 failed" in html and "13 remaining" in html
    assert 'data-percent="35"' in html  # 7 of 20 settled
    assert 'hx-trigger="every 2s"' in html


def test_home_page_polls_the_runs_panel(role_client):
    creators_make(3)
    launched()
    html = role_client("editor").get("/").content.decode()
    assert 'hx-get="/home/runs/"' in html
    assert "0 sent" in html and "6 remaining" in html


def test_only_the_current_run_is_counted():
    creators_make(4)
    campaign = launched(channels=("whatsapp",))
    Delivery.objects.filter(campaign=campaign).update(status=Delivery.Status.SENT)
    Campaign.objects.filter(pk=campaign.pk).update(last_run=2)
    fanout.deliveries_create(campaign=campaign, run=2)

    (run,) = selectors.runs_in_progress_list()

    assert (run.sent, run.remaining, run.percent) == (0, 4, 0)


def test_progress_is_one_grouped_query_whatever_the_number_of_campaigns():
    creators_make(5)
    for index in range(4):
        launched(name=f"Campaña {index}")
    with CaptureQueriesContext(connection) as queries:
        runs = selectors.runs_in_progress_list()
    assert len(runs) == 4
    assert len(queries) == 2  # the campaigns, then their deliveries grouped by state


def test_finished_run_stays_at_100_percent_then_leaves():
    creators_make(2)
    campaign = launched(channels=("whatsapp",))
    Delivery.objects.filter(campaign=campaign).update(status=Delivery.Status.SENT)
    runs.campaign_finish_if_done(campaign_id=campaign.pk)

    (run,) = selectors.runs_in_progress_list()
    assert run.campaign.status == Campaign.Status.SENT and run.percent == 100

    later = timezone.now() + selectors.FINISHED_SHOWN_FOR + timedelta(minutes=1)
    assert selectors.runs_in_progress_list(now=later) == []


def test_launched_campaign_without_deliveries_yet_is_preparing(role_client):
    creators_make(2)
    campaign = services.campaign_launch(campaign=campaign_make(channels=("whatsapp",)))
    html = role_client("analyst").get("/home/runs/").content.decode()
    assert f'data-campaign="{campaign.pk}"' in html and "Preparing the deliveries" in html


def test_upcoming_lists_one_off_and_recurring_soonest_first(role_client):
    creators_make(2)
    later = services.campaign_schedule(
        campaign=campaign_make(name="Dentro de dos días", channels=("whatsapp",)),
        send_at=timezone.now() + timedelta(days=2),
    )
    weekly = services.campaign_schedule(
        campaign=campaign_make(name="Cada hora", channels=("whatsapp",)),
        crontab={
            "minute": "0",
            "hour": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "*",
        },
    )

    upcoming = selectors.sends_upcoming_list()

    assert [send.campaign.pk for send in upcoming] == [weekly.pk, later.pk]
    assert upcoming[0].recurring and upcoming[0].crontab == "0 * * * *"
    assert timezone.now() < upcoming[0].next_at <= timezone.now() + timedelta(hours=1)
    html = role_client("analyst").get("/").content.decode()
    assert "Dentro de dos días" in html and "Cada hora" in html and "Recurring" in html


def test_week_rates_per_channel_come_from_the_rollups(role_client):
    creators_make(10)
    campaign = launched(channels=("whatsapp", "push"))
    Delivery.objects.filter(campaign=campaign).update(status=Delivery.Status.SENT)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    Rollup.objects.create(
        campaign=campaign,
        channel="whatsapp",
        locale="es-MX",
        hour=hour,
        delivered=8,
        opened=4,
        clicked=2,
    )
    Rollup.objects.create(campaign=campaign, channel="push", locale="es-MX", hour=hour, opened=5)

    rates = dict(selectors.channel_rates_recent_get(days=7))

    assert set(rates) == {"whatsapp", "push"}
    assert (rates["whatsapp"].open_rate, rates["whatsapp"].click_rate) == (0.5, 0.25)
    assert rates["push"].open_rate == 0.5  # no receipts on push: delivered means accepted
    html = role_client("analyst").get("/").content.decode()
    assert "50.0 %" in html and "25.0 %" in html


def test_old_campaigns_are_not_in_the_week_rates():
    creators_make(2)
    campaign = launched(channels=("whatsapp",))
    Delivery.objects.filter(campaign=campaign).update(status=Delivery.Status.SENT)
    Campaign.objects.filter(pk=campaign.pk).update(launched_at=timezone.now() - timedelta(days=8))
    assert selectors.channel_rates_recent_get(days=7) == []


def test_user_without_campaign_access_sees_only_the_tiles(db, client, django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="x")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Sending now" not in html and "creators" in html
    assert client.get("/home/runs/").status_code == 403


def test_runs_panel_needs_login(client, db):
    response = client.get("/home/runs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
