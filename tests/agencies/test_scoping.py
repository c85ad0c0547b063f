"""A user of agency A asks for every agencies route with agency B's ids: 403 or 404, never
B's data. The routes come from agencies.urls, so a new route is covered when it is added."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse

from agencies import services
from agencies.models import Notification
from agencies.urls import urlpatterns
from tests.support.factories import (
    agency_make,
    agency_user_make,
    brief_make,
    client_for,
    user_make,
)

pytestmark = pytest.mark.django_db

SECRET = "Guion secreto de la agencia B"


@pytest.fixture
def agency_b_objects(role_groups):
    editor = user_make("editor-ops", role="editor")
    agency_b = agency_make("Bravo")
    b_user = agency_user_make(agency_b, "bravo-writer")
    brief = brief_make(agency=agency_b, author=editor, title=SECRET)
    deliverable = brief.deliverables.get()
    version = services.version_submit(
        deliverable=deliverable,
        actor=b_user,
        text=f"{SECRET}\nsegunda línea",
        upload=SimpleUploadedFile("guion.pdf", b"%PDF-1.4\n" + SECRET.encode() + b"\n%%EOF"),
    )
    comment = services.comment_add(version=version, actor=editor, body=SECRET, line=1)
    notification = Notification.objects.create(user=b_user, text=SECRET, url="/agency/")
    return {
        "user": b_user,
        "agency_pk": agency_b.pk,
        "user_pk": b_user.pk,
        "brief_pk": brief.pk,
        "deliverable_pk": deliverable.pk,
        "version_pk": version.pk,
        "comment_pk": comment.pk,
        "notification_pk": notification.pk,
    }


def _routes() -> list[URLPattern]:
    return [pattern for pattern in urlpatterns if isinstance(pattern, URLPattern)]


def test_every_route_with_agency_b_ids_is_refused_to_agency_a(agency_b_objects):
    a_user = agency_user_make(agency_make("Alfa"), "alfa-writer")
    client = client_for(a_user)
    checked = 0
    for pattern in _routes():
        names = list(pattern.pattern.converters)
        unknown = set(names) - set(agency_b_objects)
        assert not unknown, f"{pattern.name}: add {unknown} to agency_b_objects"
        url = reverse(pattern.name, kwargs={name: agency_b_objects[name] for name in names})
        statuses = []
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = b"".join(response) if response.streaming else response.content
            assert SECRET.encode() not in body, f"{method.upper()} {url} shows agency B's data"
            if names:
                assert response.status_code in (403, 404, 405), (method, url, response.status_code)
            statuses.append(response.status_code)
        if names:
            # The method the view accepts is refused too, not just the other one.
            assert set(statuses) & {403, 404}, (url, statuses)
        checked += 1
    assert checked == len(_routes()) >= 23


def test_agency_b_reaches_its_own_objects(agency_b_objects):
    """The control: the same ids work for B, so the refusals above are about scoping."""
    client = client_for(agency_b_objects["user"])
    detail = client.get(reverse("deliverable-detail", args=[agency_b_objects["deliverable_pk"]]))
    assert detail.status_code == 200 and SECRET in detail.content.decode()
    download = client.get(reverse("version-file", args=[agency_b_objects["version_pk"]]))
    assert download.status_code == 200


def test_agency_user_sees_no_ops_page(agency_b_objects):
    client = client_for(agency_b_objects["user"])
    for url in (
        "/creators/",
        "/campaigns/",
        "/segments/",
        "/audit/",
        "/agencies/",
        "/agencies/briefs/",
        "/agencies/briefs/new/",
        "/agencies/teams/",
        f"/agencies/teams/{agency_b_objects['agency_pk']}/",
        "/team/",
    ):
        assert client.get(url).status_code == 403, url
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == reverse("agency-home")
    nav = client.get(reverse("agency-home")).content.decode()
    assert 'href="/creators/"' not in nav and 'href="/campaigns/"' not in nav
