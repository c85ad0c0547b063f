from django.db import connection

from campaigns import fanout
from campaigns.models import Delivery
from creators.models import Creator, Suppression
from tests.support.factories import campaign_make, creators_make


def test_fanout_creates_one_delivery_per_reachable_creator_and_channel(db):
    creators_make(20)
    creators_make(5, start=100, consent="denied", devices=False)  # only the inbox reaches them
    Creator.objects.filter(handle="creador_3").update(email="")
    Suppression.objects.create(channel="whatsapp", address="+525500000004", reason="complaint")
    campaign = campaign_make()

    created = fanout.deliveries_create(campaign=campaign, run=1)

    counts = {
        channel: Delivery.objects.filter(channel=channel).count() for channel in campaign.channels
    }
    assert counts == {"email": 19, "whatsapp": 19, "push": 20, "inbox": 25}
    assert created == sum(counts.values())


def test_fanout_twice_creates_nothing_new(db):
    creators_make(10)
    campaign = campaign_make()
    first = fanout.deliveries_create(campaign=campaign, run=1)
    again = fanout.deliveries_create(campaign=campaign, run=1)
    assert (first, again) == (40, 0)
    assert Delivery.objects.count() == 40


def test_fanout_falls_back_to_the_default_language(db):
    creators_make(10)
    campaign = campaign_make(channels=("inbox",), locales=("es-MX",))
    fanout.deliveries_create(campaign=campaign, run=1)
    assert set(Delivery.objects.values_list("locale", flat=True)) == {"es-MX"}
    english = campaign_make(channels=("inbox",), locales=("es-MX", "en"), name="Bilingüe")
    fanout.deliveries_create(campaign=english, run=1)
    by_locale = dict(
        Delivery.objects.filter(campaign=english)
        .values_list("creator__locale", "locale")
        .distinct()
    )
    assert by_locale == {"en": "en", "es-MX": "es-MX"}


def test_fanout_is_one_insert_select_per_channel(db, django_assert_max_num_queries):
    creators_make(50)
    campaign = campaign_make()
    # Per channel: its languages, one INSERT … SELECT, one grouped upsert of the skips; and
    # one UPDATE recording the run as fanned out (Campaign.fanout_run).
    with django_assert_max_num_queries(4 + 4 + 4 + 1):
        fanout.deliveries_create(campaign=campaign, run=1)
    assert connection.vendor == "postgresql"
