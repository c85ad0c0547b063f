"""The campaign page: progress partial, transitions, deliveries with filters, pause/resume and
re-send of failed or unknown deliveries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from campaigns import fanout
from campaigns.models import Campaign, Delivery
from tests.support.factories import campaign_make, creators_make

pytestmark = pytest.mark.django_db

S = Delivery.Status


@pytest.fixture
def sending_campaign() -> Campaign:
    """A campaign in its first run with 20 creators × 4 channels = 80 deliveries."""
    creators_make(20)
    campaign = campaign_make()
    Campaign.objects.filter(pk=campaign.pk).update(status="sending", last_run=1)
    campaign.refresh_from_db()
    assert fanout.deliveries_create(campaign=campaign, run=1) == 80
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    plan = [
        (S.SENT, 40),
        (S.FAILED, 7),
        (S.UNKNOWN, 5),
        (S.SENDING, 3),
        (S.CLAIMED, 2),
        (S.CANCELLED, 1),
    ]  # the remaining 22 stay pending
    start = 0
    for status, count in plan:
        Delivery.objects.filter(pk__in=ids[start : start + count]).update(
            status=status, error_code="21211" if status == S.FAILED else ""
        )
        start += count
    return campaign


def _progress(html: str) -> dict[str, int]:
    text = re.search(r"sent (\d+) / failed (\d+) / remaining (\d+)", html)
    bar = re.search(r'<progress data-testid="progress" value="(\d+)" max="(\d+)"', html)
    assert text is not None and bar is not None, html
    return {
        "sent": int(text.group(1)),
        "failed": int(text.group(2)),
        "remaining": int(text.group(3)),
        "value": int(bar.group(1)),
        "max": int(bar.group(2)),
    }


def test_progress_partial_equals_the_delivery_counts_in_one_query(role_client, sending_campaign):
    client = role_client("analyst")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/campaigns/{sending_campaign.pk}/progress/")
    delivery_queries = [q["sql"] for q in queries if "campaigns_delivery" in q["sql"]]
    assert len(delivery_queries) == 1 and "GROUP BY" in delivery_queries[0]
    html = response.content.decode()
    counts = {
        status: Delivery.objects.filter(campaign=sending_campaign, status=status).count()
        for status in S.values
    }
    assert _progress(html) == {
        "sent": counts["sent"],
        "failed": counts["failed"],
        "remaining": counts["pending"] + counts["claimed"] + counts["sending"],
        "value": 80 - (counts["pending"] + counts["claimed"] + counts["sending"]),
        "max": 80,
    }
    assert 'hx-trigger="every 2s"' in html  # keeps polling while sending


def test_campaign_page_shows_progress_history_and_filtered_deliveries(
    role_client, sending_campaign
):
    client = role_client("manager")
    html = client.get(f"/campaigns/{sending_campaign.pk}/").content.decode()
    assert _progress(html)["sent"] == 40
    assert ">Pause</button>" in html and ">Cancel campaign</button>" in html
    failed = client.get(
        f"/campaigns/{sending_campaign.pk}/", {"status": "failed", "error_code": "21211"}
    ).content.decode()
    assert failed.count('name="delivery"') == 7
    whatsapp = client.get(
        f"/campaigns/{sending_campaign.pk}/", {"channel": "whatsapp"}
    ).content.decode()
    assert whatsapp.count('data-channel="whatsapp"') == whatsapp.count("data-delivery=") == 20


def test_pause_and_resume_from_the_campaign_page(role_client, sending_campaign):
    client = role_client("manager")
    assert client.post(f"/campaigns/{sending_campaign.pk}/pause/").status_code == 302
    sending_campaign.refresh_from_db()
    assert sending_campaign.status == "paused"
    html = client.get(f"/campaigns/{sending_campaign.pk}/").content.decode()
    assert ">Resume</button>" in html and "Sending → Paused" in html
    client.post(f"/campaigns/{sending_campaign.pk}/resume/")
    sending_campaign.refresh_from_db()
    assert sending_campaign.status == "sending"


def test_resend_resets_only_failed_and_explicitly_chosen_unknown(role_client, sending_campaign):
    client = role_client("manager")
    every_id = list(Delivery.objects.values_list("pk", flat=True))
    before = dict(Delivery.objects.values_list("pk", "status"))

    client.post(f"/campaigns/{sending_campaign.pk}/resend/", {"delivery": every_id})
    after = dict(Delivery.objects.values_list("pk", "status"))
    changed = {pk for pk in every_id if before[pk] != after[pk]}
    assert {before[pk] for pk in changed} == {"failed"} and len(changed) == 7
    assert all(after[pk] == "pending" for pk in changed)
    assert not Delivery.objects.filter(pk__in=changed).exclude(error_code="", attempts=0).exists()

    client.post(
        f"/campaigns/{sending_campaign.pk}/resend/", {"delivery": every_id, "include_unknown": "on"}
    )
    final = dict(Delivery.objects.values_list("pk", "status"))
    changed = {pk for pk in every_id if after[pk] != final[pk]}
    assert {after[pk] for pk in changed} == {"unknown"} and len(changed) == 5
    for status in ("sent", "sending", "claimed", "cancelled"):
        assert list(final.values()).count(status) == list(before.values()).count(status)
    assert AuditEntry.objects.filter(action="campaign.resend").count() == 2


def test_resend_of_a_finished_campaign_sends_it_again(role_client, sending_campaign):
    Delivery.objects.filter(status__in=[S.PENDING, S.CLAIMED, S.SENDING]).update(status=S.SENT)
    Campaign.objects.filter(pk=sending_campaign.pk).update(status="sent")
    failed = list(Delivery.objects.filter(status=S.FAILED).values_list("pk", flat=True))
    client = role_client("manager")
    client.post(f"/campaigns/{sending_campaign.pk}/resend/", {"delivery": failed[:2]})
    sending_campaign.refresh_from_db()
    assert sending_campaign.status == "sending"
    assert Delivery.objects.filter(status=S.PENDING).count() == 2
    assert sending_campaign.transitions.last().to_status == "sending"


def test_campaign_list_filters_by_status_and_shows_progress(role_client, sending_campaign):
    campaign_make(name="Borrador", channels=("email",))
    client = role_client("editor")
    html = client.get("/campaigns/").content.decode()
    assert "Borrador" in html and "Misión de noviembre" in html and ">New campaign<" in html
    assert "<td>Email</td>" in html and "<td>email</td>" not in html  # labels, not codes
    assert '<progress value="' in html
    sending = client.get("/campaigns/", {"status": "sending"}).content.decode()
    assert "Borrador" not in sending and "Misión de noviembre" in sending


def test_the_page_settles_when_the_run_ends(role_client, sending_campaign):
    """The progress box polls with the status the page was drawn with; once the campaign's
    status differs, the answer asks htmx to refresh the whole page (status, buttons, rates,
    deliveries), and the settled page stops polling."""
    client = role_client("manager")
    url = f"/campaigns/{sending_campaign.pk}/progress/?seen=sending"
    assert "HX-Refresh" not in client.get(url)

    Campaign.objects.filter(pk=sending_campaign.pk).update(status="sent")
    response = client.get(url)
    assert response["HX-Refresh"] == "true"
    page = client.get(f"/campaigns/{sending_campaign.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' not in page and ">Pause</button>" not in page


def test_paused_page_says_batches_in_flight_finish_and_keeps_following(
    role_client, sending_campaign
):
    Campaign.objects.filter(pk=sending_campaign.pk).update(status="paused")
    html = role_client("manager").get(f"/campaigns/{sending_campaign.pk}/").content.decode()
    assert "batches already handed to the providers finish sending" in html
    assert f"/campaigns/{sending_campaign.pk}/progress/?seen=paused" in html


def test_deliveries_link_each_creator_and_channels_read_as_labels(role_client, sending_campaign):
    html = role_client("manager").get(f"/campaigns/{sending_campaign.pk}/").content.decode()
    delivery = Delivery.objects.filter(campaign=sending_campaign).first()
    assert f'href="/creators/{delivery.creator_id}/"' in html
    assert "Misión de noviembre audience · Email, Inbox, Push, WhatsApp" in html
