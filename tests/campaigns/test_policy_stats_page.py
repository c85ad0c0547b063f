"""The campaign stats page shows per-variant rates with 95% intervals, the p-value of the
difference (as scipy computes it), says when the sample is too small, counts capped and held-out
deliveries, and shows the uplift of the sent group over the holdout."""

import re
from decimal import Decimal

import numpy as np
from django.contrib.auth.models import Group
from django.utils import timezone
from scipy import stats

from campaigns import fanout
from campaigns.models import Delivery
from creators.models import Creator
from tests.campaigns.test_policy_variants import _ab_campaign
from tests.support.factories import creators_make
from tracking import experiments


def _page(client, django_user_model, campaign) -> str:
    user = django_user_model.objects.create_user(username="analista", password="x")
    user.groups.add(Group.objects.get(name="analyst"))
    client.force_login(user)
    response = client.get(f"/stats/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _sent_with_clicks(campaign, clicks: dict[str, int]) -> dict[str, int]:
    now = timezone.now()
    Delivery.objects.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENT, sent_at=now
    )
    sent = {}
    for variant, count in clicks.items():
        rows = Delivery.objects.filter(status=Delivery.Status.SENT, variant=variant)
        sent[variant] = rows.count()
        ids = list(rows.order_by("id").values_list("id", flat=True)[:count])
        Delivery.objects.filter(pk__in=ids).update(first_clicked_at=now, first_opened_at=now)
    return sent


def test_stats_page_shows_variant_significance_like_scipy(db, client, django_user_model, settings):
    settings.AB_MIN_SAMPLE = 100
    creators_make(1_200, devices=False)
    campaign = _ab_campaign(weights={"A": 50, "B": 50}, holdout=10)
    fanout.deliveries_create(campaign=campaign, run=1)
    campaign.last_run = 1
    campaign.save()
    sent = _sent_with_clicks(campaign, {"A": 60, "B": 110})

    html = _page(client, django_user_model, campaign)

    _chi2, p, _dof, _expected = stats.chi2_contingency(
        [[60, sent["A"] - 60], [110, sent["B"] - 110]], correction=False
    )
    shown = re.search(r'<span data-figure="p_value">([0-9.]+)</span>', html).group(1)
    assert shown == f"{p:.4f}"
    assert "Variant B leads; the difference is significant" in html
    assert 'data-variant="A"' in html and 'data-variant="B"' in html
    holdouts = Delivery.objects.filter(status=Delivery.Status.HOLDOUT).count()
    assert f'<td data-figure="holdout">{holdouts:,}</td>' in html


def test_stats_page_says_when_the_sample_is_too_small(db, client, django_user_model):
    creators_make(60, devices=False)
    campaign = _ab_campaign(weights={"A": 50, "B": 50})
    fanout.deliveries_create(campaign=campaign, run=1)
    campaign.last_run = 1
    campaign.save()
    _sent_with_clicks(campaign, {"A": 3, "B": 9})

    html = _page(client, django_user_model, campaign)

    assert "The sample is too small to call a winner" in html


def test_uplift_compares_gmv_of_sent_and_holdout_like_welch(db, client, django_user_model):
    creators = creators_make(800, devices=False)
    rng = np.random.default_rng(3)
    for creator, gmv in zip(creators, rng.gamma(2.0, 500.0, size=len(creators)), strict=True):
        Creator.objects.filter(pk=creator.pk).update(gmv_30d=Decimal(f"{gmv:.2f}"))
    campaign = _ab_campaign(weights={"A": 100}, holdout=25)
    fanout.deliveries_create(campaign=campaign, run=1)
    campaign.last_run = 1
    campaign.save()
    _sent_with_clicks(campaign, {"A": 0})
    # The sent group sold more afterwards (as the next import would show).
    sent_ids = list(
        Delivery.objects.filter(status=Delivery.Status.SENT).values_list("creator_id", flat=True)
    )
    Creator.objects.filter(pk__in=sent_ids[::2]).update(gmv_30d=Decimal("2500.00"))

    uplift = experiments.campaign_uplift_get(campaign=campaign, outcome="gmv_30d")
    html = _page(client, django_user_model, campaign)

    gmv = dict(Creator.objects.values_list("id", "gmv_30d"))
    holdout_ids = Delivery.objects.filter(status=Delivery.Status.HOLDOUT).values_list(
        "creator_id", flat=True
    )
    sent = np.array([float(gmv[i]) for i in sent_ids])
    held = np.array([float(gmv[i]) for i in holdout_ids])
    welch = stats.ttest_ind(sent, held, equal_var=False)
    se = np.sqrt(sent.var(ddof=1) / sent.size + held.var(ddof=1) / held.size)
    low, high = stats.norm.interval(0.95, loc=sent.mean() - held.mean(), scale=se)
    assert (uplift.sent, uplift.holdout) == (sent.size, held.size)
    assert round(uplift.difference, 4) == round(sent.mean() - held.mean(), 4)
    assert round(uplift.statistic, 4) == round(welch.statistic, 4)
    assert (round(uplift.interval.low, 4), round(uplift.interval.high, 4)) == (
        round(low, 4),
        round(high, 4),
    )
    assert f'<td data-figure="difference">{sent.mean() - held.mean():.4f}</td>' in html
