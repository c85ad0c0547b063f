"""The campaign stats page shows per-variant rates with 95% intervals, the p-value of the
difference (as scipy computes it), says when the sample is too small, counts capped and held-out
deliveries. (The outcome against the holdout: tests/outcomes/.)"""

import re

from django.contrib.auth.models import Group
from django.utils import timezone
from scipy import stats

from campaigns import fanout
from campaigns.models import Delivery
from tests.campaigns.test_policy_variants import _ab_campaign
from tests.support.factories import creators_make


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
