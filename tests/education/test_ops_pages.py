import pytest
from django.test import Client

from education.models import ContentItem
from tests.support.factories import lesson_make

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login():
    response = Client().get("/education/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_analyst_reads_but_cannot_create_or_change(role_client):
    item = lesson_make("lectura")
    client = role_client("analyst")
    assert client.get("/education/").status_code == 200
    assert client.get(f"/education/{item.pk}/").status_code == 200
    assert client.get("/education/analytics/").status_code == 200
    assert client.get("/education/new/").status_code == 403
    assert client.post(f"/education/{item.pk}/status/", {"status": "archived"}).status_code == 403
    assert client.post(f"/education/{item.pk}/", {"slug": "x"}).status_code == 403
    assert ContentItem.objects.get(pk=item.pk).status == "published"


def test_editor_creates_an_item_in_both_languages_and_sends_it_to_review(role_client):
    client = role_client("editor")
    response = client.post(
        "/education/new/",
        {
            "slug": "vender-en-live",
            "kind": "video",
            "topic": "selling_live",
            "level": "2",
            "agency": "Agencia Norte",
            "es_MX-title": "Vender en LIVE",
            "es_MX-body": "Paso 1",
            "es_MX-duration_minutes": "7",
            "es_MX-video_url": "https://cdn.example/live.mp4",
            "en-title": "Selling on LIVE",
            "en-body": "Step 1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ContentItem.objects.get(slug="vender-en-live")
    assert item.owner == client.user and item.agency == "Agencia Norte"
    assert {v.locale: v.title for v in item.versions.all()} == {
        "es-MX": "Vender en LIVE",
        "en": "Selling on LIVE",
    }
    client.post(f"/education/{item.pk}/status/", {"status": "in_review"})
    assert ContentItem.objects.get(pk=item.pk).status == "in_review"
    page = client.get(f"/education/{item.pk}/").content.decode()
    assert "Vender en LIVE" in page


def test_editor_orders_a_learning_path(role_client):
    first, second = lesson_make("uno"), lesson_make("dos")
    client = role_client("editor")
    response = client.post(
        "/education/paths/new/",
        {
            "slug": "curso",
            "title_es": "Curso",
            "title_en": "Course",
            "level": "1",
            "published": "on",
            "item_slugs": "dos\nuno",
        },
    )
    assert response.status_code == 302
    from education.models import LearningPath

    path = LearningPath.objects.get(slug="curso")
    assert [step.item for step in path.steps.all()] == [second, first]
