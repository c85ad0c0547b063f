"""No portal page or API call shows another creator's data, whatever id is put in the URL.

The test walks every route in portal.urls (so a new route is covered, or fails here until
it is listed) and the creator-app API, signed in as Ana, with Bruno's ids."""

import pytest
from django.urls import URLPattern, get_resolver

from channels.models import InboxMessage
from education import services as education_services
from education.models import LearningProgress
from portal import urls as portal_urls
from tests.support.factories import creator_make, delivery_make, inbox_message_make, lesson_make
from tracking.tokens import creator_app_token_make, portal_token_make, unsubscribe_token_make

pytestmark = pytest.mark.django_db

SECRET = "BRUNO-ONLY"


@pytest.fixture
def world():
    ana = creator_make("ana", name="Ana Uno")
    bruno = creator_make("bruno", name=f"Bruno {SECRET}", consent_whatsapp="granted")
    inbox_message_make(ana, title="Mensaje de Ana")
    bruno_message = inbox_message_make(bruno, title=f"Mensaje {SECRET}")
    item = lesson_make("buena-luz")
    education_services.progress_report(creator=bruno, item=item, percent=100)
    bruno_delivery = delivery_make(bruno)
    return {
        "ana": ana,
        "bruno": bruno,
        "message": bruno_message,
        "item": item,
        "delivery": bruno_delivery,
    }


def _kwargs_for(pattern: URLPattern, world) -> dict:
    """Bruno's ids for every parameter a route takes."""
    values = {
        "pk": world["message"].pk,
        "slug": world["item"].slug,
        "token": portal_token_make(delivery_id=world["delivery"].pk),
    }
    return {name: values[name] for name in pattern.pattern.converters}


def test_every_portal_route_shows_only_the_signed_in_creator(world, portal_client):
    client = portal_client(world["ana"])
    routes = [p for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]
    assert len(routes) == len(get_resolver("portal.urls").url_patterns)
    checked = set()
    for pattern in routes:
        if pattern.name in ("portal-magic-link", "portal-preferences-link", "portal-unsubscribe"):
            continue  # the token routes: below
        url = "/" + str(pattern.pattern).replace("<int:pk>", str(world["message"].pk)).replace(
            "<slug:slug>", world["item"].slug
        )
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert SECRET not in response.content.decode(), (method, url)
        checked.add(pattern.name)
        client = portal_client(world["ana"])  # sign-out is one of the routes
    assert {"portal-inbox", "portal-inbox-message", "portal-learn-progress"} <= checked

    # Bruno's message id answers 404, and Bruno's message stays unread.
    client = portal_client(world["ana"])
    assert client.get(f"/me/inbox/{world['message'].pk}/").status_code == 404
    assert InboxMessage.objects.get(pk=world["message"].pk).read_at is None
    # Ana's progress report does not touch Bruno's row.
    client.post(f"/learn/{world['item'].slug}/progress/", {"percent": 10})
    assert LearningProgress.objects.get(creator=world["bruno"]).percent == 100
    assert LearningProgress.objects.get(creator=world["ana"]).percent == 10


def test_a_token_route_only_ever_opens_the_creator_it_was_made_for(world, portal_client):
    client = portal_client(world["ana"])
    # A link made for Bruno signs the browser in as Bruno (that is what the link is), never
    # mixes the two: Ana's session is replaced, not merged.
    client.get(f"/p/{portal_token_make(delivery_id=world['delivery'].pk)}/")
    inbox = client.get("/me/").content.decode()
    assert "Mensaje de Ana" not in inbox
    # Unsubscribe pages show no creator data at all.
    page = client.get(f"/u/{unsubscribe_token_make(delivery_id=world['delivery'].pk)}/")
    assert SECRET not in page.content.decode()


def test_creator_app_api_never_serves_another_creators_inbox(world, client):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {creator_app_token_make(creator_id=world['ana'].pk)}"}
    listed = client.get("/api/inbox", **headers)
    assert listed.status_code == 200 and SECRET not in listed.content.decode()
    read = client.post(f"/api/inbox/{world['message'].pk}/read", **headers)
    assert read.status_code == 404 and SECRET not in read.content.decode()
    assert InboxMessage.objects.get(pk=world["message"].pk).read_at is None
