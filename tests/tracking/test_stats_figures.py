"""Every figure on the campaign page, in the CSV and in the stats API equals an independent
recount from the raw events (computed here in Python, not through the rollups)."""

import csv
import io
import re
from collections import defaultdict
from typing import Any

import pytest
from django.contrib.auth.models import Group

from campaigns.models import Delivery
from tests.tracking.conftest import sent_campaign
from tests.tracking.synthetic import traffic_play
from tracking.models import Event

RECEIPTS = {"email", "whatsapp"}


def recount(campaign) -> dict[str, Any]:
    deliveries = {d.pk: d for d in Delivery.objects.filter(campaign=campaign)}
    per: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for d in deliveries.values():
        per[d.channel]["targeted"].add(d.pk)
        if d.status == "sent":
            per[d.channel]["sent"].add(d.pk)
        if d.status == "failed":
            per[d.channel]["refused"].add(d.pk)
    for e in Event.objects.filter(campaign=campaign):
        bucket = per[e.channel]
        if e.kind in ("delivered", "read"):
            bucket["receipts"].add(e.delivery_id)
        if e.kind in ("opened", "read"):
            bucket["machine_opens" if e.automated else "opened"].add(
                e.id if e.automated else e.delivery_id
            )
        if e.kind == "clicked":
            bucket["bot_clicks" if e.automated else "clicked"].add(
                e.id if e.automated else e.delivery_id
            )
        if e.kind in ("bounced", "failed") and deliveries[e.delivery_id].status != "failed":
            bucket["bounced"].add(e.delivery_id)
    out = {}
    for channel in ("email", "whatsapp", "push", "inbox"):
        b = {key: len(value) for key, value in per[channel].items()}
        delivered = b.get("receipts", 0) if channel in RECEIPTS else b.get("sent", 0)
        out[channel] = {
            "targeted": b.get("targeted", 0),
            "sent": b.get("sent", 0),
            "delivered": delivered,
            "failed": b.get("refused", 0) + b.get("bounced", 0),
            "unique_opens": b.get("opened", 0),
            "unique_clicks": b.get("clicked", 0),
            "machine_opens": b.get("machine_opens", 0),
            "bot_clicks": b.get("bot_clicks", 0),
            "open_rate": b.get("opened", 0) / delivered if delivered else 0.0,
            "click_rate": b.get("clicked", 0) / delivered if delivered else 0.0,
            # No creator answered in this traffic (tests/conversations/test_reply_stats.py).
            "replied": 0,
            "reply_rate": 0.0,
            "opted_out": 0,
        }
    totals = {
        key: sum(out[c][key] for c in out) for key in out["email"] if not key.endswith("rate")
    }
    totals["open_rate"] = totals["unique_opens"] / totals["delivered"]
    totals["click_rate"] = totals["unique_clicks"] / totals["delivered"]
    totals["reply_rate"] = totals["replied"] / totals["sent"]
    return {"channels": out, "totals": totals, "buttons": {}}


@pytest.fixture
def busy_campaign(db, tracking_settings):
    campaign = sent_campaign(40)
    failed = list(Delivery.objects.filter(campaign=campaign).values_list("pk", flat=True)[::9])
    Delivery.objects.filter(pk__in=failed).update(status="failed", error_code="21211")
    traffic_play(campaign, seed=11)
    return campaign


def test_stats_api_equals_the_recount(api_client, busy_campaign):
    expected = recount(busy_campaign)
    response = api_client.get(f"/api/campaigns/{busy_campaign.pk}/stats")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"totals", "channels", "buttons"}
    assert set(body["channels"]) == {"email", "whatsapp", "push", "inbox"}
    for channel, figures in expected["channels"].items():
        assert body["channels"][channel] == pytest.approx(figures), channel
    assert body["totals"] == pytest.approx(expected["totals"])
    assert expected["channels"]["email"]["machine_opens"] > 0
    assert expected["channels"]["email"]["bot_clicks"] > 0


def cell(html: str, row_attr: str, figure: str) -> str:
    row = re.search(rf"<tr {re.escape(row_attr)}>(.*?)</tr>", html, re.S)
    assert row is not None, f"no row {row_attr}"
    value = re.search(rf'data-figure="{figure}"[^>]*>([^<]*)<', row.group(1))
    assert value is not None, f"no {figure} in row {row_attr}"
    return value.group(1).strip()


def test_campaign_page_and_csv_show_the_recount(client, django_user_model, busy_campaign, settings):
    settings.LANGUAGE_CODE = "en"
    user = django_user_model.objects.create_user(username="ops", password="x")
    user.groups.add(Group.objects.get(name="analyst"))  # the stats pages need view_campaign
    client.force_login(user)
    expected = recount(busy_campaign)
    response = client.get(f"/stats/campaigns/{busy_campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for channel, figures in expected["channels"].items():
        row = f'data-channel="{channel}"'
        for name in (
            "targeted",
            "sent",
            "delivered",
            "failed",
            "unique_opens",
            "unique_clicks",
            "machine_opens",
            "bot_clicks",
        ):
            assert cell(html, row, name).replace(",", "") == str(figures[name]), (channel, name)
        for name in ("open_rate", "click_rate"):
            shown = float(cell(html, row, name).removesuffix(" %"))
            assert shown == pytest.approx(figures[name] * 100, abs=0.05), (channel, name)
    assert cell(html, 'data-channel="total"', "unique_opens").replace(",", "") == str(
        expected["totals"]["unique_opens"]
    )
    assert "chart.umd.min.js" in html and "cdn" not in html.lower()
    # The page says, not only in column titles, what makes a machine open and a bot click.
    assert 'id="how-we-count"' in html
    assert "Apple Mail Privacy Protection" in html and "known link scanner" in html
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/stats/campaigns/{busy_campaign.pk}/stats.csv").content.decode()
            )
        )
    )
    by_channel = {row["channel"]: row for row in rows if row["locale"] == "*"}
    for channel, figures in expected["channels"].items():
        assert int(by_channel[channel]["unique_opens"]) == figures["unique_opens"]
        assert float(by_channel[channel]["click_rate"]) == pytest.approx(
            figures["click_rate"], abs=1e-6
        )
    clicks = Event.objects.filter(campaign=busy_campaign, kind="clicked")
    for link_id in set(clicks.values_list("link_id", flat=True)):
        humans = clicks.filter(link_id=link_id, automated=False).count()
        assert cell(html, f'data-link="{link_id}"', "clicks") == str(humans)
    failures = Delivery.objects.filter(campaign=busy_campaign, status="failed", channel="email")
    assert cell(html, 'data-failure="email|refused|21211"', "count") == str(failures.count())


def test_pages_need_a_login(client, busy_campaign):
    assert client.get(f"/stats/campaigns/{busy_campaign.pk}/").status_code == 302
    assert client.get("/stats/campaigns/").status_code == 302


def test_pages_need_view_campaign(client, django_user_model, busy_campaign):
    client.force_login(django_user_model.objects.create_user(username="nobody", password="x"))
    assert client.get(f"/stats/campaigns/{busy_campaign.pk}/").status_code == 403
    assert client.get(f"/stats/campaigns/{busy_campaign.pk}/stats.csv").status_code == 403
    assert client.get("/stats/campaigns/").status_code == 403


def test_campaign_list_shows_or_and_ctr_and_filters(client, django_user_model, busy_campaign):
    user = django_user_model.objects.create_user(username="ops", password="x")
    user.groups.add(Group.objects.get(name="analyst"))
    client.force_login(user)
    expected = recount(busy_campaign)["totals"]
    html = client.get(
        "/stats/campaigns/?sort=-open_rate", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    shown = float(cell(html, f'data-campaign="{busy_campaign.pk}"', "open_rate").removesuffix(" %"))
    assert shown == pytest.approx(expected["open_rate"] * 100, abs=0.05)
    filtered = client.get("/stats/campaigns/?kind=education").content.decode()
    assert f'data-campaign="{busy_campaign.pk}"' not in filtered
