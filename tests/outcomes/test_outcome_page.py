"""The campaign stats page's outcome section: the sentence, the estimates, the breakdowns and
the chart's data; too small and no holdout said plainly; read from the cache once computed."""

import json
import re

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.outcomes.conftest import holdout_campaign_make


def _page(client, django_user_model, campaign, *, language: str = "en", query: str = "") -> str:
    user, _created = django_user_model.objects.get_or_create(username="analista")
    user.groups.add(Group.objects.get(name="analyst"))
    client.force_login(user)
    response = client.get(f"/stats/campaigns/{campaign.pk}/{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_stats_page_shows_the_outcome_with_its_chart(client, django_user_model, measured):
    html = _page(client, django_user_model, measured.campaign)

    sentence = re.search(r'<p id="outcome-sentence">(.*?)</p>', html, re.S).group(1)
    assert sentence.startswith("Being sent this campaign changed GMV (MXN) by")
    assert "per 1,000 creators sent" in sentence
    assert 'data-estimator="cuped"' in html and 'data-estimator="did"' in html
    for breakdown in ("channel", "locale", "level", "variant"):
        assert f'data-breakdown="{breakdown}"' in html
    assert "Sample too small to say" in html  # each level has about 35 creators
    chart = json.loads(
        re.search(r'<script id="outcome-data" type="application/json">(.*?)</script>', html).group(
            1
        )
    )
    assert chart["labels"] == list(range(-14, 14))
    assert len(chart["sent"]) == len(chart["holdout"]) == 28
    assert 'id="outcome-chart"' in html and "outcomes/outcome.js" in html


def test_stats_page_reads_the_outcome_from_the_cache_once_computed(
    client, django_user_model, measured
):
    _page(client, django_user_model, measured.campaign)

    with CaptureQueriesContext(connection) as queries:
        html = _page(client, django_user_model, measured.campaign)

    assert 'id="outcome-sentence"' in html
    assert not [q for q in queries.captured_queries if "programs_creatormetric" in q["sql"]]


def test_stats_page_says_when_the_sample_is_too_small(client, django_user_model, db):
    campaign = holdout_campaign_make(creators=40, holdout=30)

    html = _page(client, django_user_model, campaign)

    sentence = re.search(r'<p id="outcome-sentence"[^>]*>(.*?)</p>', html, re.S).group(1)
    shown = re.fullmatch(
        r"The sample is too small to say: each side needs at least 100 creators "
        r"\(sent: (\d+), holdout: (\d+)\)\.",
        sentence,
    )
    assert shown is not None, sentence
    assert int(shown.group(1)) + int(shown.group(2)) == 40


def test_stats_page_without_a_holdout_says_it_cannot_measure(client, django_user_model, db):
    campaign = holdout_campaign_make(creators=10, holdout=0)

    html = _page(client, django_user_model, campaign)

    assert "This campaign has no holdout, so its effect cannot be measured." in html


def test_stats_page_outcome_takes_metric_and_window_and_ignores_bad_ones(
    client, django_user_model, measured
):
    html = _page(client, django_user_model, measured.campaign, query="?outcome_window=7")
    assert "over the 7 days after the send" in html

    html = _page(
        client, django_user_model, measured.campaign, query="?outcome_metric=x&outcome_window=-3"
    )
    assert "over the 14 days after the send" in html

    html = _page(
        client, django_user_model, measured.campaign, query="?outcome_metric=videos_posted"
    )
    assert "Videos posted does not vary in these windows (no data yet?)" in html


def test_stats_page_outcome_in_spanish(client, django_user_model, measured):
    html = _page(client, django_user_model, measured.campaign, language="es-MX")

    assert '<html lang="es-mx"' in html.lower() or 'lang="es-MX"' in html
    assert 'id="outcome-sentence"' in html and 'id="outcome-chart"' in html
