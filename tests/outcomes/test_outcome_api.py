"""GET /api/campaigns/{id}/outcome: the cached outcome's figures, 400 for an unknown metric or
a bad window, and a documented answer (200, has_holdout false) for a campaign without one."""

import pytest

from outcomes.selectors import campaign_outcome_get
from tests.outcomes.conftest import holdout_campaign_make


def test_outcome_api_gives_the_estimate_breakdowns_and_daily_means(api_client, measured):
    response = api_client.get(f"/api/campaigns/{measured.campaign.pk}/outcome?metric=gmv")

    assert response.status_code == 200, response.content
    body = response.json()
    outcome = campaign_outcome_get(campaign=measured.campaign)  # the cached one
    estimate = outcome.overall.estimate
    assert estimate is not None
    assert body["window_days"] == 14 and body["has_holdout"] is True
    assert body["overall"]["sent"] == estimate.sent == 280
    assert body["overall"]["holdout"] == estimate.holdout == 120
    assert body["overall"]["cuped"]["estimate"] == pytest.approx(estimate.cuped.estimate)
    assert body["overall"]["cuped"]["per_thousand"] == pytest.approx(estimate.cuped.estimate * 1000)
    assert body["overall"]["did"]["low"] == pytest.approx(estimate.did.low)
    assert set(body["breakdowns"]) == {"channel", "locale", "level", "variant"}
    assert [day["day"] for day in body["daily"]] == list(range(-14, 14))
    assert body["sentence"].startswith("Being sent this campaign changed GMV (MXN) by")


def test_outcome_api_takes_another_window(api_client, measured):
    response = api_client.get(f"/api/campaigns/{measured.campaign.pk}/outcome?window_days=7")

    assert response.status_code == 200
    assert response.json()["window_days"] == 7
    assert len(response.json()["daily"]) == 14


@pytest.mark.parametrize(
    "query, path",
    [
        ("metric=orders_of_magnitude", "metric"),
        ("window_days=0", "window_days"),
        ("window_days=91", "window_days"),
        ("window_days=99999999999999999999", "window_days"),
        ("window_days=catorce", "window_days"),
    ],
)
def test_outcome_api_refuses_an_unknown_metric_or_a_bad_window(api_client, db, query, path):
    campaign = holdout_campaign_make(creators=10, holdout=30)

    response = api_client.get(f"/api/campaigns/{campaign.pk}/outcome?{query}")

    assert response.status_code == 400, response.content
    assert path in (response.json()["path"] + response.json()["detail"])


def test_outcome_api_without_a_holdout_says_so(api_client, db):
    campaign = holdout_campaign_make(creators=10, holdout=0)

    response = api_client.get(f"/api/campaigns/{campaign.pk}/outcome")

    assert response.status_code == 200
    body = response.json()
    assert body["has_holdout"] is False
    assert body["overall"]["cuped"] is None and body["overall"]["too_small"] is True
    assert body["sentence"] == "This campaign has no holdout, so its effect cannot be measured."


def test_outcome_api_of_a_missing_campaign_is_404(api_client, db):
    assert api_client.get("/api/campaigns/999999/outcome").status_code == 404


def test_outcome_api_before_the_send_says_the_sample_is_too_small(api_client, db):
    campaign = holdout_campaign_make(creators=0, holdout=20)

    body = api_client.get(f"/api/campaigns/{campaign.pk}/outcome").json()

    assert body["has_holdout"] is True and body["overall"]["too_small"] is True
    assert body["sentence"].startswith("The sample is too small to say")
    assert (body["overall"]["sent"], body["overall"]["holdout"]) == (0, 0)
