"""`{{ learn('slug') }}` in a sent message leads, through the click redirect, to the lesson
in the creator's language, signed in, with the visit attributed to the delivery."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from campaigns.rendering import MessageRenderer
from education.models import LearningProgress
from portal.session import CREATOR_KEY
from tests.support.factories import creator_make, delivery_make, lesson_make
from tracking.links import delivery_links
from tracking.models import Event

pytestmark = pytest.mark.django_db


def _learn_url_for(delivery) -> str:
    links = delivery_links(
        delivery_id=delivery.pk,
        channel=delivery.channel,
        locale=delivery.locale,
        campaign_id=delivery.campaign_id,
    )
    rendered = MessageRenderer("whatsapp", {"body": "Aprende: {{ learn('buena-luz') }}"}).render(
        creator={"name": "Ana"}, campaign={}, links=links
    )
    return rendered["body"].split("Aprende: ")[1].strip()


@pytest.mark.parametrize(
    ("locale", "title", "language"),
    [("es-MX", "Graba con buena luz", "es-mx"), ("en", "Film in good light", "en")],
)
def test_learn_link_lands_signed_in_in_the_creators_language(settings, locale, title, language):
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.TRACKING_BOT_CLICK_SECONDS = 0
    item = lesson_make("buena-luz")
    creator = creator_make("ana", locale=locale)
    delivery = delivery_make(creator, channel="whatsapp")
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile Safari")

    tracked = _learn_url_for(delivery)
    assert "/t/c/" in tracked
    redirect = client.get(urlsplit(tracked).path)
    assert redirect.status_code == 302 and "/learn/buena-luz/" in redirect["Location"]
    assert "t=" in redirect["Location"]
    landed = client.get(redirect["Location"].replace("http://testserver", ""))
    assert landed.status_code == 302 and landed["Location"] == "/learn/buena-luz/"
    page = client.get("/learn/buena-luz/")
    html = page.content.decode()
    assert page.status_code == 200 and title in html
    assert f'<html lang="{language}"' in html.lower()
    assert client.session[CREATOR_KEY] == creator.pk

    progress = LearningProgress.objects.get(creator=creator, item=item)
    assert progress.delivery_id == delivery.pk and progress.visits == 1
    assert Event.objects.filter(delivery=delivery, kind="clicked", automated=False).count() == 1


def test_lesson_without_a_session_shows_no_content():
    lesson_make("buena-luz")
    page = Client().get("/learn/buena-luz/")
    assert page.status_code == 401
    assert "Graba con buena luz" not in page.content.decode()
