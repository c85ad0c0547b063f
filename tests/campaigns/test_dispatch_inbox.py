from campaigns import dispatch, fanout, runs, services
from campaigns.models import Campaign, Delivery
from channels.models import InboxMessage
from tests.support.factories import campaign_make, creators_make


def test_inbox_dispatch_stores_each_message_once_and_finishes(transactional_db):
    creators_make(30)
    campaign = campaign_make(channels=("inbox",))
    services.campaign_launch(campaign=campaign)
    campaign.refresh_from_db()
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)

    report = dispatch.campaign_dispatch(campaign_id=campaign.pk)

    assert report.claimed == 30
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 30
    assert InboxMessage.objects.count() == 30
    english = InboxMessage.objects.get(creator__handle="creador_5")
    assert (english.title, english.body) == ("Misión de noviembre", "Hola Creadora")
    assert runs.campaign_finish_if_done(campaign_id=campaign.pk)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    # A second dispatcher finds nothing left to claim: nothing is stored twice.
    assert dispatch.campaign_dispatch(campaign_id=campaign.pk).claimed == 0
    assert InboxMessage.objects.count() == 30


def test_paused_campaign_is_not_dispatched(transactional_db):
    creators_make(5)
    campaign = campaign_make(channels=("inbox",))
    services.campaign_launch(campaign=campaign)
    fanout.deliveries_create(campaign=campaign, run=1)
    services.campaign_pause(campaign=campaign)
    assert dispatch.campaign_dispatch(campaign_id=campaign.pk).claimed == 0
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 5
