"""The home page's creator tile: an exact count for a small base, PostgreSQL's estimate
(shown as approximate) from ESTIMATE_FROM creators, where COUNT(*) costs ~100 ms (issue 20)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from creators import selectors
from creators.models import Creator
from tests.support.factories import creators_make

pytestmark = pytest.mark.django_db


def _tile(client) -> str:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    match = re.search(r'data-testid="creator-total">([^<]*)<', html)
    assert match is not None, html
    return match[1]


def test_small_base_is_counted_exactly(role_client):
    creators_make(12, devices=False)
    assert _tile(role_client("analyst")) == "12"
    assert selectors.creator_total_get() == selectors.CreatorTotal(count=12, approximate=False)


def test_large_base_shows_the_planners_estimate_as_approximate(role_client, monkeypatch):
    creators_make(12, devices=False)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Creator._meta.db_table}")
    monkeypatch.setattr(selectors, "ESTIMATE_FROM", 10)

    assert _tile(role_client("analyst")) == "about 12"
    assert selectors.creator_total_get() == selectors.CreatorTotal(count=12, approximate=True)
