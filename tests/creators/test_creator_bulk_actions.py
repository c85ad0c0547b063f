"""Bulk actions on the creators list: tag and export the ticked creators or every creator the
filters match, as one set-based statement, audited; bad selections are a 400, never a 500."""

from __future__ import annotations

import csv
import io

import pytest

from audit.models import AuditEntry
from creators import services
from creators.columns import HEADER
from creators.models import Creator
from creators.selectors import creator_search
from tests.support.factories import creator_make


@pytest.fixture
def manager(role_client):
    return role_client("manager")


def jalisco(count: int) -> list[Creator]:
    return [creator_make(f"jal_{index:03d}", state="JAL") for index in range(count)]


def test_tag_service_tags_the_selection_once_in_one_statement(db, django_assert_num_queries):
    from tests.support.factories import user_make

    actor = user_make("ops", role="manager")
    ana = creator_make("ana", tags=["vip"])
    beto = creator_make("beto", tags=["vip", "beta"])
    carla = creator_make("carla", tags=[])
    selection = creator_search(tags=["vip"])
    # The UPDATE, the audit entry, and the savepoint pair of the atomic block.
    with django_assert_num_queries(4):
        tagged = services.creators_tag(
            creators=selection, tag="beta", actor=actor, selection={"filters": "tags=vip"}
        )
    assert tagged == 1  # beto had it already
    ana.refresh_from_db(), beto.refresh_from_db(), carla.refresh_from_db()
    assert ana.tags == ["vip", "beta"] and beto.tags == ["vip", "beta"] and carla.tags == []
    entry = AuditEntry.objects.get(action="creator.tag")
    assert entry.actor == actor
    assert entry.detail == {"creators": 1, "tags": ["beta"], "filters": "tags=vip"}


def test_select_all_matching_tags_every_page_of_the_filter(manager):
    jalisco(60)  # more than one page of 50
    outsider = creator_make("sonora", state="SON")
    response = manager.post(
        "/creators/bulk/tag/", {"query": "state=JAL", "all_matching": "on", "tag": "julio"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/creators/?state=JAL"
    assert Creator.objects.filter(tags__contains=["julio"]).count() == 60
    outsider.refresh_from_db()
    assert outsider.tags == []


def test_ticked_ids_are_tagged_only_within_the_filter(manager):
    first, second, *_ = jalisco(3)
    outsider = creator_make("sonora", state="SON")
    response = manager.post(
        "/creators/bulk/tag/",
        {"query": "state=JAL", "ids": [first.pk, outsider.pk], "tag": "elegida"},
    )
    assert response.status_code == 302
    assert list(Creator.objects.filter(tags__contains=["elegida"])) == [first]


@pytest.mark.parametrize(
    "data",
    [
        {"query": "", "tag": "x"},  # nothing selected
        {"query": "", "ids": ["abc"], "tag": "x"},
        {"query": "", "ids": ["99999999999999999999999"], "tag": "x"},
        {"query": "level=99", "all_matching": "on", "tag": "x"},
        {"query": "", "all_matching": "on", "tag": "a;b"},
        {"query": "", "all_matching": "on", "tag": ""},
        {"query": "", "ids": [str(n) for n in range(501)], "tag": "x"},
    ],
)
def test_bad_bulk_requests_are_400_and_change_nothing(manager, data):
    creator_make("ana")
    response = manager.post("/creators/bulk/tag/", data)
    assert response.status_code == 400
    assert b'id="bulk-errors"' in response.content
    assert not Creator.objects.exclude(tags=[]).exists()
    assert not AuditEntry.objects.filter(action="creator.tag").exists()


def test_export_streams_the_selection_in_the_import_columns(manager):
    jalisco(3)
    creator_make("sonora", state="SON", tags=["=cmd"])
    response = manager.post("/creators/bulk/export/", {"query": "state=JAL", "all_matching": "on"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0]) == HEADER
    assert [row[0] for row in rows[1:]] == ["jal_000", "jal_001", "jal_002"]
    assert rows[1][HEADER.index("state")] == "JAL"
    entry = AuditEntry.objects.get(action="creator.export")
    assert entry.detail == {"creators": 3, "filters": "state=JAL"}


def test_export_neutralises_formula_cells(manager):
    sonora = creator_make("sonora", tags=["=HYPERLINK(1)"])
    response = manager.post("/creators/bulk/export/", {"ids": [sonora.pk]})
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("analyst", "/creators/bulk/tag/", 403),
        ("editor", "/creators/bulk/tag/", 403),
        ("analyst", "/creators/bulk/export/", 403),
        ("editor", "/creators/bulk/export/", 403),
    ],
)
def test_roles_without_the_permission_get_403(role_client, role, url, status):
    ana = creator_make("ana")
    response = role_client(role).post(url, {"ids": [ana.pk], "tag": "x"})
    assert response.status_code == status
    ana.refresh_from_db()
    assert ana.tags == []


def test_get_on_a_bulk_action_is_405(manager):
    assert manager.get("/creators/bulk/tag/").status_code == 405
    assert manager.get("/creators/bulk/export/").status_code == 405


def test_the_list_offers_the_bulk_bar_by_role(role_client):
    creator_make("ana")
    manager_html = role_client("manager").get("/creators/").content.decode()
    assert 'id="bulk-tag-submit"' in manager_html and 'id="bulk-export"' in manager_html
    assert 'id="bulk-list-submit"' in manager_html  # segments' "add to list"
    editor_html = role_client("editor").get("/creators/").content.decode()
    assert 'id="bulk-tag-submit"' not in editor_html and 'id="bulk-export"' not in editor_html
    assert 'id="bulk-list-submit"' in editor_html
    analyst_html = role_client("analyst").get("/creators/").content.decode()
    assert 'id="bulk-list-submit"' not in analyst_html


def test_a_query_with_a_line_break_is_re_encoded_in_the_redirect(manager):
    creator_make("ana", state="JAL")
    response = manager.post(
        "/creators/bulk/tag/",
        {"query": "state=JAL&q=\r\nSet-Cookie: x=1", "all_matching": "on", "tag": "x"},
    )
    assert response.status_code == 302
    assert "\n" not in response["Location"] and "%0D%0A" in response["Location"]


@pytest.fixture
def eager_celery():
    """Tasks run where they are queued (the broker is not what these tests are about)."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_large_selection_is_tagged_by_a_worker_after_the_request(
    manager, monkeypatch, eager_celery, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("creators.forms.BULK_SYNC_MAX", 2)
    jalisco(3)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = manager.post(
            "/creators/bulk/tag/", {"query": "state=JAL", "all_matching": "on", "tag": "fondo"}
        )
        assert response.status_code == 302
        assert not Creator.objects.filter(tags__contains=["fondo"]).exists()
    assert len(queued) == 1
    queued[0]()  # the commit: the task runs
    assert Creator.objects.filter(tags__contains=["fondo"]).count() == 3
    entry = AuditEntry.objects.get(action="creator.tag")
    assert entry.actor == manager.user and entry.detail["creators"] == 3


def test_ticked_rows_are_never_sent_to_a_worker(manager, monkeypatch):
    monkeypatch.setattr("creators.forms.BULK_SYNC_MAX", 0)
    first, *_ = jalisco(2)
    response = manager.post("/creators/bulk/tag/", {"ids": [first.pk], "tag": "ya"})
    assert response.status_code == 302
    assert list(Creator.objects.filter(tags__contains=["ya"])) == [first]
