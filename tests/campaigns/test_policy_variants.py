"""A/B variants and holdouts: deterministic assignment by hash of campaign and creator,
recorded on the delivery, matching the weights, stable across runs; holdouts get nothing."""

from collections import Counter

from django.db import connection

from campaigns import dispatch, fanout, runs, services
from campaigns.models import Campaign, Delivery
from channels.models import InboxMessage
from creators.models import Creator
from segments.services import segment_create
from tests.support.factories import MESSAGES, creators_make


def _bulk_creators(count: int) -> None:
    """Creators made in SQL: 100,000 through the ORM would be most of the test's time."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Creator._meta.db_table} (handle, name, email, phone, locale, timezone,
                state, market, level, followers, gmv_30d, category, content_type, tags,
                consent_email, consent_whatsapp, consent_push, consent_inbox,
                created_at, updated_at)
            SELECT 'bulk_' || i, 'Creadora ' || i, '', '', 'es-MX', 'America/Mexico_City',
                   '', 'MX', 1, 0, 0, '', 'video', '[]'::jsonb,
                   'unknown', 'unknown', 'unknown', 'granted', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [count],
        )


def _ab_campaign(*, weights: dict[str, int], holdout: int = 0, test: int = 0) -> Campaign:
    segment = segment_create(
        name="Todos", rules={"all": [{"field": "level", "op": "gte", "value": 0}]}
    )
    campaign = services.campaign_create(
        owner=None,
        name="Prueba A/B",
        kind=Campaign.Kind.MISSION,
        segment=segment,
        messages=[
            {
                "channel": "inbox",
                "locale": "es-MX",
                "variant": variant,
                **MESSAGES["inbox"],
                "title": f"Variante {variant}",
            }
            for variant in weights
        ],
    )
    campaign.variant_weights, campaign.holdout_percent = weights, holdout
    campaign.test_percent = test
    campaign.save()
    return campaign


def test_assignment_matches_weights_at_100k_and_is_stable_across_runs(db):
    _bulk_creators(100_000)
    campaign = _ab_campaign(weights={"A": 70, "B": 30}, holdout=10)

    fanout.deliveries_create(campaign=campaign, run=1)
    fanout.deliveries_create(campaign=campaign, run=2)

    first = dict(Delivery.objects.filter(run=1).values_list("creator_id", "variant"))
    shares = Counter(
        "holdout" if status == Delivery.Status.HOLDOUT else variant
        for variant, status in Delivery.objects.filter(run=1).values_list("variant", "status")
    )
    total = sum(shares.values())
    assert total == 100_000
    expected = {"holdout": 0.10, "A": 0.63, "B": 0.27}
    for key, share in expected.items():
        assert abs(shares[key] / total - share) < 0.01, (key, shares[key] / total)
    # Holdouts are recorded, without a variant, and are never claimed.
    assert not Delivery.objects.filter(status=Delivery.Status.HOLDOUT).exclude(variant="").exists()
    second = dict(Delivery.objects.filter(run=2).values_list("creator_id", "variant"))
    assert second == first
    assert Counter(Delivery.objects.filter(run=2).values_list("status", flat=True)) == Counter(
        Delivery.objects.filter(run=1).values_list("status", flat=True)
    )


def test_each_creator_gets_their_variant_and_holdouts_get_nothing(transactional_db):
    creators_make(200, devices=False)
    campaign = _ab_campaign(weights={"A": 50, "B": 50}, holdout=20)
    services.campaign_launch(campaign=campaign)
    fanout.deliveries_create(campaign=campaign, run=1)

    dispatch.campaign_dispatch(campaign_id=campaign.pk)

    holdouts = set(
        Delivery.objects.filter(status=Delivery.Status.HOLDOUT).values_list("creator_id", flat=True)
    )
    assert 20 <= len(holdouts) <= 60
    received = dict(InboxMessage.objects.values_list("creator_id", "title"))
    assert holdouts.isdisjoint(received)
    assert len(received) == 200 - len(holdouts)
    for creator_id, variant in Delivery.objects.filter(status=Delivery.Status.SENT).values_list(
        "creator_id", "variant"
    ):
        assert received[creator_id] == f"Variante {variant}"
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
