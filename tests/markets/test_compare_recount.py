"""Every figure of the comparison equals a recount, done here in plain Python from the
Rollup rows, the sent deliveries and the playbook entries."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Delivery
from markets.compare import comparison_build
from markets.models import Playbook
from tests.support.factories import campaign_make, creators_make
from tracking.models import Rollup

pytestmark = pytest.mark.django_db

RECEIPTS = {"email", "whatsapp"}


def _sent(campaign, *, kind, market="MX", days_ago, status=Campaign.Status.SENT):
    launched = timezone.now() - timedelta(days=days_ago)
    Campaign.objects.filter(pk=campaign.pk).update(
        kind=kind,
        market=market,
        status=status,
        launched_at=launched,
        finished_at=launched + timedelta(hours=1),
    )
    campaign.refresh_from_db()
    return campaign


def _rollup(campaign, channel, hour_offset, locale, delivered, opened, clicked):
    Rollup.objects.create(
        campaign=campaign,
        channel=channel,
        locale=locale,
        hour=campaign.launched_at + timedelta(hours=hour_offset),
        delivered=delivered,
        opened=opened,
        clicked=clicked,
        opens_total=opened + 2,
        clicks_total=clicked,
    )


def _deliveries(campaign, channel, creators, sent):
    Delivery.objects.bulk_create(
        Delivery(
            campaign=campaign,
            channel=channel,
            creator=creator,
            locale=creator.locale,
            status=Delivery.Status.SENT if index < sent else Delivery.Status.FAILED,
        )
        for index, creator in enumerate(creators)
    )


@pytest.fixture
def history():
    creators = creators_make(10)
    made = []
    plans = [  # kind, days ago, {channel: [(hour, locale, delivered, opened, clicked)]}, push sent
        (
            "mission",
            3,
            {
                "email": [(0, "es-MX", 40, 12, 3), (1, "es-MX", 10, 6, 1), (0, "en", 5, 1, 0)],
                "push": [(0, "es-MX", 0, 4, 2)],
            },
            8,
        ),
        ("mission", 10, {"email": [(0, "es-MX", 80, 20, 9)], "push": [(2, "en", 0, 3, 3)]}, 6),
        ("mission", 30, {"email": [(0, "es-MX", 33, 30, 1)]}, 0),
        (
            "mission",
            200,
            {"email": [(0, "es-MX", 100, 45, 10)], "push": [(0, "es-MX", 0, 1, 0)]},
            9,
        ),
        ("education", 400, {"whatsapp": [(0, "es-MX", 60, 50, 7), (5, "es-MX", 3, 3, 3)]}, 0),
    ]
    for number, (kind, days_ago, channels, push_sent) in enumerate(plans):
        campaign = _sent(
            campaign_make(name=f"c{number}", channels=("email", "push", "whatsapp")),
            kind=kind,
            days_ago=days_ago,
        )
        for channel, rows in channels.items():
            for row in rows:
                _rollup(campaign, channel, *row)
        if push_sent:
            _deliveries(campaign, "push", creators, push_sent)
        made.append(campaign)
    # Neither a draft nor another market's campaign counts.
    _sent(campaign_make(name="draft"), kind="mission", days_ago=2, status=Campaign.Status.DRAFT)
    other = _sent(campaign_make(name="br"), kind="mission", market="BR", days_ago=2)
    _rollup(other, "email", 0, "es-MX", 10, 10, 10)
    for market, title, kind, steps, open_rate, click_rate in [
        ("BR", "a", "mission", [("whatsapp", 0), ("push", 3), ("email", 6)], "48.5", "12.1"),
        ("BR", "b", "mission", [("email", 0), ("email", 2)], "30", None),
        ("CO", "c", "mission", [("push", 0)], "61", "20"),
        ("ID", "d", "education", [("whatsapp", 0)], None, "9.5"),
        ("MX", "ours", "mission", [("email", 0)], "99", "99"),  # the home market's own: not "other"
    ]:
        Playbook.objects.create(
            market_id=market,
            title=title,
            kind=kind,
            steps=[{"channel": c, "day": d, "purpose": ""} for c, d in steps],
            open_rate=open_rate,
            click_rate=click_rate,
        )
    return made


def _quartile(ordered, p):
    """Linear interpolation between closest ranks at (n - 1) · p."""
    position = (len(ordered) - 1) * p
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _summary(values):
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "median": _quartile(ordered, 0.5),
        "q1": _quartile(ordered, 0.25),
        "q3": _quartile(ordered, 0.75),
        "low": ordered[0],
        "high": ordered[-1],
    }


def _recount(since):
    samples = defaultdict(list)
    for campaign in Campaign.objects.filter(market="MX").exclude(status="draft"):
        group = "recent" if campaign.launched_at >= since else "history"
        rollups = list(Rollup.objects.filter(campaign=campaign))
        sent = list(Delivery.objects.filter(campaign=campaign, status="sent"))
        for channel in {r.channel for r in rollups} | {d.channel for d in sent}:
            mine = [r for r in rollups if r.channel == channel]
            if channel in RECEIPTS:
                delivered = sum(r.delivered for r in mine)
            else:
                delivered = sum(1 for d in sent if d.channel == channel)
            if delivered == 0:
                continue
            opened, clicked = sum(r.opened for r in mine), sum(r.clicked for r in mine)
            samples[(group, campaign.kind, channel, "open_rate")].append(100 * opened / delivered)
            samples[(group, campaign.kind, channel, "click_rate")].append(100 * clicked / delivered)
    for playbook in Playbook.objects.exclude(market_id="MX"):
        for channel in {step["channel"] for step in playbook.steps}:
            for metric in ("open_rate", "click_rate"):
                if getattr(playbook, metric) is not None:
                    value = float(getattr(playbook, metric))
                    samples[("playbooks", playbook.kind, channel, metric)].append(value)
    return {key: _summary(values) for key, values in samples.items()}


def test_every_figure_equals_the_recount(history):
    since = timezone.now() - timedelta(days=90)
    expected = _recount(since)
    rows = comparison_build(since=since)

    seen = {}
    for row in rows:
        for group in ("recent", "history", "playbooks"):
            spread = getattr(row, group)
            if spread is not None:
                seen[(group, row.kind, row.channel, row.metric)] = {
                    name: getattr(spread, name)
                    for name in ("n", "median", "q1", "q3", "low", "high")
                }
    assert set(seen) == set(expected)
    for key, figures in expected.items():
        assert seen[key] == pytest.approx(figures), key
    # The fixture's shape, so the recount is not trivially empty.
    assert expected[("recent", "mission", "email", "open_rate")]["n"] == 3
    assert expected[("history", "mission", "push", "open_rate")]["n"] == 1
    assert expected[("playbooks", "mission", "email", "open_rate")]["n"] == 2


def test_the_page_shows_the_same_medians_and_sizes(history, role_client):
    since = timezone.now() - timedelta(days=90)
    expected = _recount(since)
    html = role_client("analyst").get("/markets/compare/?days=90").content.decode()
    figures = expected[("recent", "mission", "email", "open_rate")]
    assert (
        f'data-group="recent" data-n="{figures["n"]}" data-median="{figures["median"]:.2f}"' in html
    )
    figures = expected[("playbooks", "mission", "push", "click_rate")]
    assert (
        f'data-group="playbooks" data-n="{figures["n"]}" data-median="{figures["median"]:.2f}"'
        in html
    )


def test_kind_and_market_filters(history):
    since = timezone.now() - timedelta(days=90)
    rows = comparison_build(since=since, kind="education", playbook_market="ID")
    assert {(row.kind, row.channel, row.metric) for row in rows} == {
        ("education", "whatsapp", "open_rate"),
        ("education", "whatsapp", "click_rate"),
    }
    click = next(row for row in rows if row.metric == "click_rate")
    assert click.playbooks.n == 1 and click.playbooks.median == 9.5
    assert click.recent is None and click.history.n == 1
