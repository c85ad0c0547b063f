"""An adapted campaign records its measurement plan (hypothesis, metric, minimum detectable
effect, holdout) before launch; after the post window its measured outcome is filled in from
the campaign, beside the source playbook's uplift."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from campaigns.models import Campaign
from markets.adapt import playbook_adapt
from markets.models import AdaptedCampaign
from tests.outcomes.conftest import measured, outcome_cache_empty  # noqa: F401 (fixtures)
from tests.support.factories import playbook_make

PLAN = {
    "hypothesis": "A WhatsApp reminder on day 3 lifts GMV as it did in Brazil.",
    "outcome_metric": "gmv",
    "minimum_detectable_effect": "50.00",
    "planned_holdout_percent": "10",
}


@pytest.mark.django_db
def test_plan_is_recorded_before_launch_and_sets_the_holdout(role_client):
    adapted = playbook_adapt(playbook=playbook_make(), actor=None)
    client = role_client("manager")

    response = client.post(f"/markets/campaigns/{adapted.campaign.pk}/plan/", PLAN)

    assert response.status_code == 302
    adapted.refresh_from_db()
    assert adapted.hypothesis == PLAN["hypothesis"]
    assert adapted.minimum_detectable_effect == Decimal("50.00")
    assert Campaign.objects.get(pk=adapted.campaign.pk).holdout_percent == Decimal("10")
    page = client.get(adapted.campaign.get_absolute_url()).content.decode()
    assert 'id="measurement-plan-recorded"' in page and PLAN["hypothesis"] in page
    assert "Filled in from this campaign after its post window" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change", [{"planned_holdout_percent": "80"}, {"minimum_detectable_effect": "-1"}]
)
def test_plan_out_of_range_is_refused(role_client, change):
    adapted = playbook_adapt(playbook=playbook_make(), actor=None)

    response = role_client("manager").post(
        f"/markets/campaigns/{adapted.campaign.pk}/plan/", {**PLAN, **change}
    )

    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert AdaptedCampaign.objects.get(pk=adapted.pk).hypothesis == ""


@pytest.mark.django_db
def test_plan_cannot_change_after_launch(role_client):
    adapted = playbook_adapt(playbook=playbook_make(), actor=None)
    Campaign.objects.filter(pk=adapted.campaign.pk).update(status=Campaign.Status.SENDING)

    response = role_client("manager").post(f"/markets/campaigns/{adapted.campaign.pk}/plan/", PLAN)

    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "The measurement plan is recorded before launch: this campaign is no longer a draft."
    ]
    assert AdaptedCampaign.objects.get(pk=adapted.pk).hypothesis == ""


def test_measured_outcome_is_filled_in_after_the_post_window(role_client, measured):  # noqa: F811
    campaign = measured.campaign
    launched = datetime.combine(
        timezone.localdate() - timedelta(days=20), time(10), timezone.get_current_timezone()
    )
    Campaign.objects.filter(pk=campaign.pk).update(launched_at=launched)
    AdaptedCampaign.objects.create(
        playbook=playbook_make(uplift=Decimal("12.50")),
        campaign=campaign,
        steps=[],
        hypothesis=PLAN["hypothesis"],
        minimum_detectable_effect=Decimal("50"),
        planned_holdout_percent=Decimal("30"),
    )

    page = role_client("analyst").get(campaign.get_absolute_url()).content.decode()

    assert '<p id="measured-outcome">Being sent this campaign changed GMV (MXN) by' in page
    row = page.split('data-row="measured"')[1].split("</tr>")[0]
    assert 'data-figure="estimate"' in row and " %" in row
    assert "12.50 %" in page.split('data-row="playbook-uplift"')[1].split("</tr>")[0]
