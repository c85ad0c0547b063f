"""Hostile query and form values never make an HTML page answer 500: text that cannot be
stored (NUL, invalid UTF-8, lone surrogates) is a 400 before any view runs, and ids or
numbers that are not numbers are a 400 or a form error in the view."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import URLResolver, get_resolver

from agencies.forms import TrackingFilterForm
from campaigns.forms import DeliveryFilterForm
from creators.forms import CreatorFilterForm
from markets.forms import CompareForm, PlaybookFilterForm
from programs.forms import CalendarForm, ProgramNewForm
from segments.services import segment_create
from tests.support.factories import campaign_make, creators_make, program_make

# Raw (already percent-encoded) hostile values, and ones the test client encodes itself.
RAW_VALUES = ["%ED%A0%80", "%00", "a%00b", "%FF%FE", "%C0%AF"]
TEXT_VALUES = [
    "abc",
    "-1",
    "99999999999999999999",
    "1.5",
    "²",
    "x" * 5000,
    "2026-13-45",
    "'\"<>",
]

# Every query parameter an HTML view reads (grep request.GET) and every GET filter form field.
PARAMS = sorted(
    {
        "q",
        "page",
        "status",
        "since",
        "until",
        "playbook",
        "v",
        "type",
        "tab",
        "t",
        "sort",
        "segment",
        "market",
        "level",
        "kind",
        "id",
        "d",
        "channel",
        "campaign",
        "before",
        "after",
        "action",
        "next",
        "view",
        "date",
        "locale",
        "state",
    }
    | {
        name
        for form in (
            TrackingFilterForm,
            DeliveryFilterForm,
            CreatorFilterForm,
            CompareForm,
            PlaybookFilterForm,
            CalendarForm,
            ProgramNewForm,
        )
        for name in form.base_fields
    }
)

SKIPPED = ("admin/", "api/", "accounts/logout/", "i18n/")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


@pytest.fixture
def objects(db):
    creators = creators_make(3)
    campaign = campaign_make(name="Hostil")
    program = program_make(name="Programa hostil")
    segment = segment_create(name="Hostil", rules={"all": []})
    return {
        "creators": creators[0].pk,
        "campaigns": campaign.pk,
        "programs": program.pk,
        "segments": segment.pk,
        "readiness": campaign.pk,
        "stats": campaign.pk,
    }


def _urls(objects: dict[str, int]) -> list[str]:
    urls = []
    for route in _routes(get_resolver().url_patterns):
        if route.startswith(SKIPPED):
            continue
        first = route.split("/")[0]
        pk = objects.get(first, objects.get(route.split("/")[1] if "/" in route else "", 1))
        url = re.sub(r"<int:[a-z_]+>", str(pk), route)
        url = re.sub(r"<(str|slug):[a-z_]+>", "x", url)
        urls.append("/" + url)
    return urls


def _query(value: str, *, raw: bool) -> str:
    if raw:
        return "&".join(f"{name}={value}" for name in PARAMS)
    return urlencode({name: value for name in PARAMS})


def test_every_get_route_survives_hostile_query_values(objects, role_client):
    client = role_client("manager")
    client.raise_request_exception = False
    urls = _urls(objects)
    assert len(urls) > 60
    failures = []
    for url in urls:
        for value, raw in [*((v, True) for v in RAW_VALUES), *((v, False) for v in TEXT_VALUES)]:
            response = client.get(f"{url}?{_query(value, raw=raw)}")
            if response.status_code >= 500:
                failures.append((url, value[:20], response.status_code))
    assert not failures, "\n".join(map(str, failures))


def test_each_parameter_alone_on_the_pages_that_read_numbers_is_never_a_500(objects, role_client):
    """One parameter at a time (a bad first one cannot hide a later one), on the pages that
    read ids, numbers or dates from the query."""
    client = role_client("manager")
    client.raise_request_exception = False
    campaign = objects["campaigns"]
    urls = (
        f"/campaigns/{campaign}/audience/counts/",
        "/markets/proposals/new/",
        "/programs/calendar/",
        "/campaigns/",
        "/stats/campaigns/",
        "/audit/",
        "/agencies/",
        "/education/analytics/",
        f"/campaigns/{campaign}/",
    )
    names = (
        "segment",
        "playbook",
        "a",
        "b",
        "since",
        "until",
        "before",
        "after",
        "id",
        "page",
        "d",
        "date",
        "level",
    )
    failures = [
        (url, name, value[:20])
        for url in urls
        for name in names
        for value in ("abc", "99999999999999999999", "²", "2026-13-45")
        if client.get(url, {name: value}).status_code >= 500
    ]
    assert not failures, "\n".join(map(str, failures))


def test_a_blackout_day_that_does_not_exist_is_a_form_error(objects, role_client):
    campaign = campaign_make(name="Misión calendario", channels=("inbox",))
    response = role_client("manager").post(
        "/programs/new/",
        {
            "campaign": campaign.pk,
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
            "metric": "gmv",
            "threshold": "10",
            "blackout": "2026-13-45",
            "locale_list": ["es-MX"],
        },
    )
    assert response.status_code in (200, 400)
    assert "2026-13-45" in response.content.decode()


@pytest.mark.parametrize("query", ["q=%ED%A0%80", "q=%00", "segment=%FF", "x%00=1"])
def test_text_that_cannot_be_stored_is_a_400(objects, role_client, query):
    response = role_client("manager").get(f"/segments/?{query}")
    assert response.status_code == 400
    assert b"NUL" in response.content or b"UTF-8" in response.content


def test_the_audience_count_with_a_non_numeric_segment_is_a_400(objects, role_client):
    campaign = objects["campaigns"]
    response = role_client("manager").get(f"/campaigns/{campaign}/audience/counts/?segment=abc")
    assert response.status_code == 400


def test_a_form_post_with_a_nul_or_bad_utf8_is_a_400(objects, role_client):
    client = role_client("manager")
    response = client.post("/segments/new/", {"name": "Nul\x00", "rules": "{}"})
    assert response.status_code == 400
    response = client.post(
        "/segments/new/",
        b"name=%ED%A0%80&rules=%7B%7D",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_ordinary_text_still_works(objects, role_client):
    client = role_client("manager")
    assert client.get("/creators/", {"q": "José ñandú"}).status_code == 200
    assert client.get("/segments/?page=2").status_code == 200
