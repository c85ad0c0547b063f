"""The creators list sorts by followers, GMV and last activity, walked page by page by keyset."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from creators import selectors
from tests.support.factories import creator_make


def walk(sort: str, size: int = 3) -> tuple[list[str], list[str]]:
    """Every handle page by page forward, then backward from the last page."""
    queryset = selectors.creator_search(sort=sort)
    forward, pages, after = [], [], ""
    while True:
        page = selectors.creator_page(queryset=queryset, after=after, sort=sort, size=size)
        forward += [creator.handle for creator in page.creators]
        pages.append(page)
        if not page.next_after:
            break
        after = page.next_after
    before = pages[-1].previous_before
    backward = [creator.handle for creator in pages[-1].creators]
    while before:
        page = selectors.creator_page(queryset=queryset, before=before, sort=sort, size=size)
        backward = [creator.handle for creator in page.creators] + backward
        before = page.previous_before
    return forward, backward


def test_most_followers_first_with_ties_broken_by_newest(db):
    for index, followers in enumerate([10, 500, 500, 7, 500, 90, 1_000_000, 0]):
        creator_make(f"c{index}", followers=followers)
    forward, backward = walk("followers")
    assert forward == ["c6", "c4", "c2", "c1", "c5", "c0", "c3", "c7"]
    assert backward == forward


def test_highest_gmv_first(db):
    for index, gmv in enumerate(["10.50", "999.99", "0", "10.49", "5000"]):
        creator_make(f"g{index}", gmv_30d=Decimal(gmv))
    forward, backward = walk("gmv", size=2)
    assert forward == ["g4", "g1", "g0", "g3", "g2"]
    assert backward == forward


def test_most_recently_active_first_and_never_active_last(db):
    now = timezone.now()
    creator_make("never_a")
    creator_make("old", last_active_at=now - timedelta(days=90))
    creator_make("today", last_active_at=now)
    creator_make("never_b")
    creator_make("week", last_active_at=now - timedelta(days=7))
    forward, backward = walk("active", size=2)
    assert forward == ["today", "week", "old", "never_b", "never_a"]
    assert backward == forward


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("followers", "abc~1"),
        ("followers", "~1"),
        ("gmv", "NaN~3"),
        ("gmv", "1e999999~3"),
        ("active", "2026-13-01~2"),
        ("active", "2026-01-01T00:00~2"),
        ("followers", "12"),
        ("followers", "1~99999999999999999999"),
    ],
)
def test_a_malformed_cursor_gives_the_first_page(role_client, sort, cursor):
    creator_make("ana", followers=5)
    client = role_client("analyst")
    for key in ("after", "before"):
        response = client.get("/creators/", {"sort": sort, key: cursor})
        assert response.status_code == 200
        assert [c.handle for c in response.context["page"].creators] == ["ana"]


def test_an_unknown_sort_is_a_400(role_client):
    response = role_client("analyst").get("/creators/", {"sort": "password"})
    assert response.status_code == 400


def test_the_page_links_carry_the_sort(role_client):
    for index in range(55):
        creator_make(f"c{index:02d}", followers=index)
    html = role_client("analyst").get("/creators/", {"sort": "followers"}).content.decode()
    assert "sort=followers&amp;after=5~" in html
