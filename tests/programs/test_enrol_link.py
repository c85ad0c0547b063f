"""A creator enrols through their signed link; a forged or GET-only visit enrols nobody."""

from django.test import Client

from programs.enrol_links import program_enrol_url
from programs.models import Enrolment
from tests.support.factories import creators_make, program_make


def test_signed_link_enrols_on_post_only(db, settings):
    settings.PUBLIC_BASE_URL = "https://altavoz.example"
    creator = creators_make(1)[0]
    program = program_make(landing_url="https://tienda.example/mision")
    url = program_enrol_url(program_id=program.pk, creator_id=creator.pk)
    path = url.removeprefix("https://altavoz.example")
    client = Client()

    assert client.get(path).status_code == 200
    assert not Enrolment.objects.exists()

    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "https://tienda.example/mision"
    enrolment = Enrolment.objects.get()
    assert (enrolment.creator, enrolment.source) == (creator, "link")

    forged = path.replace(f"{program.pk}.{creator.pk}", f"{program.pk}.{creator.pk + 1}")
    assert client.post(forged).status_code == 404
    assert Enrolment.objects.count() == 1
