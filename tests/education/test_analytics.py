"""The education analytics page: reach, visits, starts, completions and the funnel."""

import pytest
from django.utils import timezone

from campaigns.models import Delivery, Message
from education import services
from education.analytics import education_analytics_get
from tests.support.factories import campaign_make, creator_make, delivery_make, lesson_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson_campaign():
    item = lesson_make("buena-luz")
    lesson_make("otra")
    campaign = campaign_make(channels=("whatsapp",), name="Lección de luz")
    Message.objects.filter(campaign=campaign).update(
        fields={"body": 'Mira esto: {{ learn("buena-luz") }}'}
    )
    creators = [creator_make(f"c{n}", phone=f"+52551000000{n}") for n in range(4)]
    deliveries = [delivery_make(c, channel="whatsapp", campaign=campaign) for c in creators]
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries[:3]]).update(
        first_opened_at=timezone.now()
    )
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries[:2]]).update(
        first_clicked_at=timezone.now()
    )
    for creator, delivery in zip(creators[:2], deliveries[:2], strict=True):
        services.progress_visit_record(creator=creator, item=item, delivery_id=delivery.pk)
    services.progress_report(creator=creators[0], item=item, percent=100)
    services.progress_report(creator=creators[1], item=item, percent=50)
    # A visit from the library: counted for the item, not for the campaign.
    outsider = creator_make("lector")
    services.progress_report(creator=outsider, item=item, percent=100)
    return campaign, item


def test_item_campaign_and_funnel_figures(lesson_campaign):
    campaign, item = lesson_campaign
    report = education_analytics_get()
    rows = {row.slug: row for row in report.items}
    assert (
        rows["buena-luz"].reach,
        rows["buena-luz"].visits,
        rows["buena-luz"].starts,
        rows["buena-luz"].halves,
        rows["buena-luz"].completions,
    ) == (4, 3, 3, 3, 2)
    assert rows["buena-luz"].completion_rate == pytest.approx(2 / 3)
    assert (rows["otra"].reach, rows["otra"].visits) == (0, 0)

    [by_campaign] = [row for row in report.campaigns if row.slug == "buena-luz"]
    assert (by_campaign.campaign_id, by_campaign.channel) == (campaign.pk, "whatsapp")
    assert (by_campaign.reach, by_campaign.visits, by_campaign.completions) == (4, 2, 1)
    assert dict(report.funnel) == {
        "sent": 4,
        "opened": 3,
        "clicked": 2,
        "visited": 2,
        "started": 2,
        "completed": 1,
    }


def test_filters_by_campaign_channel_and_level(lesson_campaign):
    campaign, _item = lesson_campaign
    only = education_analytics_get(campaign_id=campaign.pk, channel="whatsapp")
    assert {row.slug: row.visits for row in only.items}["buena-luz"] == 2
    assert education_analytics_get(channel="email").campaigns == []
    assert education_analytics_get(level=3).items == []


def test_page_shows_the_figures(lesson_campaign, role_client):
    page = role_client("analyst").get("/education/analytics/").content.decode()
    assert 'data-item="buena-luz"' in page and 'data-stage="completed"' in page
    item = lesson_campaign[1]  # its kind by its label, not its code
    assert f'<td class="text">{item.get_kind_display()}</td>' in page
    assert f'<td class="text">{item.kind}</td>' not in page
