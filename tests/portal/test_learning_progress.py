import pytest

from education.models import LearningProgress
from tests.support.factories import creator_make, lesson_make, path_make

pytestmark = pytest.mark.django_db


def test_progress_moves_forward_only(portal_client):
    creator = creator_make("hilda")
    item = lesson_make("buena-luz", kind="video", video_url="https://cdn.example/v.mp4")
    client = portal_client(creator)
    page = client.get("/learn/buena-luz/").content.decode()
    assert 'id="lesson-video"' in page and 'src="/static/portal/lesson.js"' in page

    def report(percent, **kwargs):
        return client.post("/learn/buena-luz/progress/", {"percent": percent}, **kwargs).json()

    assert report(1)["stage"] == "started"
    assert report(50)["stage"] == "half"
    assert report(10) == {"percent": 50, "stage": "half"}
    response = client.post(
        "/learn/buena-luz/progress/", '{"percent": 100}', content_type="application/json"
    )
    assert response.json() == {"percent": 100, "stage": "completed"}
    row = LearningProgress.objects.get(creator=creator, item=item)
    assert row.started_at and row.half_at and row.completed_at


def test_library_shows_level_and_language_and_path_progress(portal_client):
    creator = creator_make("ines", locale="en", level=0)
    basic, advanced = lesson_make("basico", level=1), lesson_make("avanzado", level=3)
    path_make("curso", [basic])
    client = portal_client(creator)
    client.post("/learn/basico/progress/", {"percent": 100})
    library = client.get("/me/learn/").content.decode()
    assert "Film in good light (basico)" in library
    assert "avanzado" not in library  # above the creator's level
    assert "Video course" in library and "1 of 1 completed" in library
    assert advanced.slug not in client.get("/me/paths/curso/").content.decode()


def test_bad_progress_report_is_400(portal_client):
    lesson_make("buena-luz")
    client = portal_client(creator_make("juana"))
    assert client.post("/learn/buena-luz/progress/", {"percent": "mucho"}).status_code == 400


def test_library_recommends_what_the_creators_messages_linked(portal_client):
    from campaigns.models import Message
    from tests.support.factories import campaign_make, delivery_make

    creator = creator_make("karla", level=0)
    lesson_make("recomendada", level=3)  # above her level, but her campaign linked it
    lesson_make("otra-mas", level=3)
    campaign = campaign_make(channels=("inbox",), name="Con lección")
    Message.objects.filter(campaign=campaign).update(
        fields={"title": "Aprende", "body": "{{ learn('recomendada') }}"}
    )
    delivery_make(creator, channel="inbox", campaign=campaign)
    library = portal_client(creator).get("/me/learn/").content.decode()
    recommended = library.split('id="recommended"')[1].split("</ul>")[0]
    assert 'data-item="recomendada"' in recommended
    assert "otra-mas" not in library
