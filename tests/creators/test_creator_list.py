"""The creators list: search, filters, htmx partial updates and keyset pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from creators import selectors
from creators.models import Creator


@pytest.fixture
def viewer(role_client):
    return role_client("analyst")


def make(handle: str, **values) -> Creator:
    values.setdefault("name", handle.title())
    return Creator.objects.create(handle=handle, **values)


def handles(response) -> list[str]:
    return [creator.handle for creator in response.context["page"].creators]


def test_search_matches_handle_name_email_and_phone_prefix(viewer):
    make("ana_mx", name="Ana López", email="ana@example.mx", phone="+525511112222")
    make("beto", name="Roberto Díaz", email="rob@correo.mx", phone="+523311112222")
    make("carla", name="Carla Ana", email="carla@example.mx")
    assert handles(viewer.get("/creators/", {"q": "ana"})) == ["ana_mx", "carla"]
    assert handles(viewer.get("/creators/", {"q": "@ANA"})) == ["ana_mx"]
    assert handles(viewer.get("/creators/", {"q": "díaz"})) == ["beto"]
    assert handles(viewer.get("/creators/", {"q": "rob@"})) == ["beto"]
    assert handles(viewer.get("/creators/", {"q": "+5255"})) == ["ana_mx"]
    assert handles(viewer.get("/creators/", {"q": "52 33"})) == ["beto"]


def test_filters_combine(viewer):
    now = timezone.now()
    make(
        "ana",
        level=3,
        state="JAL",
        locale="en",
        consent_whatsapp="granted",
        tags=["vip", "beta"],
        last_active_at=now - timedelta(days=2),
    )
    make(
        "beto",
        level=3,
        state="JAL",
        locale="en",
        consent_whatsapp="denied",
        tags=["vip"],
        last_active_at=now - timedelta(days=2),
    )
    make(
        "carla",
        level=3,
        state="JAL",
        locale="en",
        consent_whatsapp="granted",
        tags=["vip"],
        last_active_at=now - timedelta(days=60),
    )
    make("dani", level=1, state="NLE", consent_whatsapp="granted", tags=["vip"])
    base = {"level": "3", "state": "JAL", "locale": "en", "consent_whatsapp": "granted"}
    assert handles(viewer.get("/creators/", base)) == ["ana", "carla"]
    assert handles(viewer.get("/creators/", {**base, "active": "7"})) == ["ana"]
    assert handles(viewer.get("/creators/", {**base, "tags": "vip, beta"})) == ["ana"]
    assert handles(viewer.get("/creators/", {"consent_inbox": "granted", "level": "1"})) == ["dani"]


def test_page_without_js_is_the_whole_page_with_a_labelled_get_form(viewer):
    make("ana")
    html = viewer.get("/creators/", {"q": "an"}).content.decode()
    assert "<html" in html
    assert '<form method="get" action="/creators/"' in html
    for name in ["q", "level", "state", "locale", "consent_email", "tags", "active"]:
        assert f'<label for="id_{name}">' in html
    assert 'hx-trigger="input changed delay:300ms, submit"' in html
    assert 'hx-push-url="true"' in html
    assert 'value="an"' in html
    assert 'class="table-wrap"' in html


def test_htmx_request_gets_only_the_results(viewer):
    make("ana")
    make("beto")
    response = viewer.get("/creators/", {"q": "bet"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<section id="creator-results"')
    # Not the page nor the filters form (the bulk selection form is part of the results).
    assert "<html" not in html and 'role="search"' not in html
    assert "@beto" in html and "@ana" not in html
    assert "1 creator matches." in html


def test_keyset_pages_walk_forward_and_back(viewer):
    for number in range(7):
        make(f"c{number}")
    page = selectors.creator_page(queryset=selectors.creator_search(), size=3)
    assert [c.handle for c in page.creators] == ["c0", "c1", "c2"]
    assert page.previous_before is None and page.next_after == "c2"
    page = selectors.creator_page(queryset=selectors.creator_search(), after="c2", size=3)
    assert [c.handle for c in page.creators] == ["c3", "c4", "c5"]
    assert (page.previous_before, page.next_after) == ("c3", "c5")
    page = selectors.creator_page(queryset=selectors.creator_search(), after="c5", size=3)
    assert [c.handle for c in page.creators] == ["c6"] and page.next_after is None
    page = selectors.creator_page(queryset=selectors.creator_search(), before="c3", size=3)
    assert [c.handle for c in page.creators] == ["c0", "c1", "c2"]
    assert page.previous_before is None


def test_next_link_keeps_the_filters(viewer):
    for number in range(51):
        make(f"c{number:02d}", state="JAL")
    make("zz", state="NLE")
    response = viewer.get("/creators/", {"state": "JAL"})
    assert len(handles(response)) == 50
    html = response.content.decode()
    assert "state=JAL&amp;after=c49" in html
    response = viewer.get("/creators/", {"state": "JAL", "after": "c49"})
    assert handles(response) == ["c50"]


def test_count_stops_at_the_cap(viewer, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for number in range(3):
        make(f"c{number}")
    response = viewer.get("/creators/")
    assert "More than 2 creators match." in response.content.decode()


def test_bad_filter_value_is_a_400_with_the_form(viewer):
    response = viewer.get("/creators/", {"level": "99"})
    assert response.status_code == 400
    assert "Please correct the filters above." in response.content.decode()
