"""The creator's page lists their events, newest first, 25 a page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from events.services import EventIn, events_record
from tests.support.factories import creator_make

pytestmark = pytest.mark.django_db


def _names(html: str) -> list[str]:
    table = html.split('id="events"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<td><code>([a-z0-9_]+)</code></td>", table)


def test_events_are_listed_newest_first_and_paginated(role_client):
    ana = creator_make("ana")
    beto = creator_make("beto")
    now = timezone.now()
    events_record(
        events=[
            EventIn(
                name=f"step_{i:02d}",
                creator_id=ana.pk,
                props={"n": i, "note": "<b>hola</b>"},
                occurred_at=now - timedelta(minutes=30 - i),
            )
            for i in range(30)
        ]
        + [EventIn(name="other_creator", creator_id=beto.pk)],
        source="api",
    )
    client = role_client("analyst")
    html = client.get(f"/creators/{ana.pk}/").content.decode()
    assert _names(html) == [f"step_{i:02d}" for i in range(29, 4, -1)]
    assert "&lt;b&gt;hola&lt;/b&gt;" in html and "<b>hola</b>" not in html
    assert "events_page=2" in html
    second = client.get(f"/creators/{ana.pk}/?events_page=2").content.decode()
    assert _names(second) == [f"step_{i:02d}" for i in range(4, -1, -1)]
    assert "other_creator" not in html + second


def test_a_creator_without_events_says_so(role_client):
    ana = creator_make("ana")
    html = role_client("analyst").get(f"/creators/{ana.pk}/").content.decode()
    assert "No event recorded for this creator yet." in html
