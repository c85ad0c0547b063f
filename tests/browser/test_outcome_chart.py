"""The stats page draws the outcome chart (Chart.js, vendored): the daily mean per creator of
the sent group and the holdout, from 14 days before the send to 13 after."""

import pytest

from tests.outcomes.conftest import measured, outcome_cache_empty  # noqa: F401 (fixtures)
from tests.support.browser import shot

pytestmark = pytest.mark.browser


def test_outcome_chart_draws_the_sent_group_and_the_holdout(page, login_as, measured):  # noqa: F811
    login_as("analyst")
    page.goto(f"/stats/campaigns/{measured.campaign.pk}/")
    page.locator("#outcome-chart").wait_for()
    page.wait_for_function("() => Chart.getChart(document.getElementById('outcome-chart'))")

    drawn = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById("outcome-chart"));
            return {labels: chart.data.labels, sets: chart.data.datasets.map(
                (set) => [set.label, set.data.length])};
        }"""
    )

    assert drawn["labels"] == list(range(-14, 14))
    assert drawn["sets"] == [["Sent", 28], ["Holdout", 28]]
    assert page.locator("#outcome-sentence").inner_text().startswith("Being sent this campaign")
    shot(page, "outcome")
