"""The messages step's A/B test and holdout box: the sending-policies service the API uses,
then one message tab per variant, and a campaign that launches only with every variant
written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from campaigns.exceptions import CampaignIncomplete
from campaigns.lifecycle import campaign_launchable_check
from campaigns.models import Campaign, Message
from tests.support.factories import MESSAGES, campaign_make, creators_make

pytestmark = pytest.mark.django_db

AB = {
    "variants": "2",
    "weight_a": "60",
    "weight_b": "40",
    "holdout_percent": "10",
    "test_percent": "20",
    "winner_metric": "or",
    "winner_after_minutes": "90",
}


def test_ab_box_sets_variants_holdout_and_winner_rules(role_client):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    client = role_client("manager")

    response = client.post(f"/campaigns/{campaign.pk}/messages/ab-test/", AB)

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.variant_weights == {"A": 60.0, "B": 40.0}
    assert (campaign.holdout_percent, campaign.test_percent) == (Decimal(10), Decimal(20))
    assert (campaign.winner_metric, campaign.winner_after_minutes) == ("or", 90)
    page = client.get(f"/campaigns/{campaign.pk}/messages/").content.decode()
    assert "?tab=push-es-MX-A" in page and "?tab=push-es-MX-B" in page
    assert '?tab=push-es-MX"' not in page


def test_each_variant_needs_its_message_before_launch(role_client):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    client = role_client("manager")
    client.post(f"/campaigns/{campaign.pk}/messages/ab-test/", AB)
    campaign.refresh_from_db()
    with pytest.raises(CampaignIncomplete, match="Variant A"):
        campaign_launchable_check(campaign=campaign)

    for variant, title in (("A", "Misión A"), ("B", "Misión B")):
        fields = {**MESSAGES["push"], "title": title}
        response = client.post(
            f"/campaigns/{campaign.pk}/messages/",
            {"channel": "push", "locale": "es-MX", "variant": variant, **fields},
        )
        assert response.status_code == 302
        assert response["Location"].endswith(f"?tab=push-es-MX-{variant}")

    saved = Message.objects.filter(campaign=campaign, variant__in=["A", "B"])
    assert {m.variant: m.fields["title"] for m in saved} == {"A": "Misión A", "B": "Misión B"}
    campaign_launchable_check(campaign=campaign)


def test_an_unsaved_variant_tab_starts_from_the_message_without_variant(role_client):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    client = role_client("manager")
    client.post(f"/campaigns/{campaign.pk}/messages/ab-test/", AB)

    page = client.get(f"/campaigns/{campaign.pk}/messages/?tab=push-es-MX-B").content.decode()

    assert 'value="Misión nueva"' in page and 'name="variant" value="B"' in page


def test_turning_the_ab_test_off_clears_the_variants(role_client):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    client = role_client("manager")
    client.post(f"/campaigns/{campaign.pk}/messages/ab-test/", AB)

    response = client.post(
        f"/campaigns/{campaign.pk}/messages/ab-test/",
        {**AB, "variants": "0", "test_percent": "0", "holdout_percent": "0"},
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.variant_weights == {} and campaign.holdout_percent == 0
    campaign_launchable_check(campaign=campaign)


@pytest.mark.parametrize(
    "change",
    [
        {"variants": "abc"},
        {"variants": "7"},
        {"weight_a": "0"},
        {"weight_b": ""},
        {"holdout_percent": "100"},
        {"holdout_percent": "-1"},
        {"holdout_percent": "1e400"},
        {"test_percent": "50", "variants": "0"},
        {"winner_metric": "ctr'; drop"},
        {"winner_after_minutes": "99999999999999999999"},
        {"variants": "3", "weight_c": ""},
    ],
)
def test_a_bad_ab_form_is_a_400_and_changes_nothing(role_client, change):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    client = role_client("manager")

    response = client.post(f"/campaigns/{campaign.pk}/messages/ab-test/", {**AB, **change})

    assert response.status_code == 400
    campaign.refresh_from_db()
    assert campaign.variant_weights == {} and campaign.holdout_percent == 0


def test_ab_box_is_refused_once_the_campaign_is_sent(role_client):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENT)

    response = role_client("manager").post(f"/campaigns/{campaign.pk}/messages/ab-test/", AB)

    assert response.status_code == 400
    assert 'data-testid="ab-error"' in response.content.decode()


def test_ab_box_needs_change_permission_and_a_real_campaign(role_client):
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    assert (
        role_client("analyst").post(f"/campaigns/{campaign.pk}/messages/ab-test/", AB).status_code
        == 403
    )
    assert role_client("manager").post("/campaigns/999999/messages/ab-test/", AB).status_code == 404


def test_a_message_for_an_unknown_variant_is_a_400(role_client):
    creators_make(1)
    campaign = campaign_make(channels=("push",), locales=("es-MX",))
    response = role_client("manager").post(
        f"/campaigns/{campaign.pk}/messages/",
        {"channel": "push", "locale": "es-MX", "variant": "Z", **MESSAGES["push"]},
    )
    assert response.status_code == 400
    assert not Message.objects.filter(campaign=campaign, variant="Z").exists()
