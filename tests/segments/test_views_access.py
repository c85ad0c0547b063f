"""Who may see and change segments in the ops UI: analysts read, editors build, anonymous
visitors are sent to sign in."""

import pytest

from segments.services import segment_create


@pytest.fixture
def segment(db):
    return segment_create(name="Level 1+", rules={"field": "level", "op": "gte", "value": 1})


@pytest.mark.parametrize("method", ["get", "post"])
def test_analyst_cannot_build(role_client, segment, method):
    client = role_client("analyst")
    for url in ["/segments/new/", f"/segments/{segment.pk}/edit/", "/segments/preview/"]:
        response = getattr(client, method)(url, {"name": "X", "rules": '{"all": []}'})
        assert response.status_code == 403, url
    segment.refresh_from_db()
    assert segment.name == "Level 1+"


def test_analyst_reads_list_and_detail(role_client, segment):
    client = role_client("analyst")
    listing = client.get("/segments/")
    assert listing.status_code == 200
    assert "Level 1+" in listing.content.decode()
    assert "New segment" not in listing.content.decode()
    assert client.get(f"/segments/{segment.pk}/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/segments/", "/segments/new/", "/segments/{pk}/", "/segments/{pk}/edit/"]
)
def test_anonymous_is_sent_to_sign_in(client, segment, path):
    url = path.format(pk=segment.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={url}")


def test_anonymous_preview_is_sent_to_sign_in(client, db):
    response = client.post("/segments/preview/", {"rules": '{"all": []}'})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_editor_sees_new_segment_and_edit(role_client, segment):
    page = role_client("editor").get("/segments/").content.decode()
    assert 'href="/segments/new/"' in page
    assert f'href="/segments/{segment.pk}/edit/"' in page
