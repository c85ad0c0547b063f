"""Lists from pasted or uploaded handles: case ignored, "@" optional, one per line or comma
separated; unknown handles are reported by line and the good ones kept."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from creators.models import Creator
from segments import services
from segments.exceptions import SegmentListNothingMatched
from segments.models import Segment, SegmentMember
from tests.support.factories import creator_make


@pytest.fixture
def editor(role_client):
    return role_client("editor")


def members(segment: Segment) -> list[str]:
    return sorted(
        Creator.objects.filter(
            pk__in=SegmentMember.objects.filter(segment=segment).values("creator_id")
        ).values_list("handle", flat=True)
    )


def test_handles_parse_reads_lines_and_commas():
    text = "@Ana, beto\n\n  carla ;dani\n\t\n@@x\n"
    assert services.handles_parse(text) == [
        (1, "@Ana"),
        (1, "beto"),
        (3, "carla"),
        (3, "dani"),
        (5, "@@x"),
    ]


def test_handles_parse_takes_the_handle_column_of_a_csv():
    text = 'nombre,usuario,correo\nAna,@ana,a@x.mx\n"Beto, B",beto,b@x.mx\n'
    assert services.handles_parse(text) == [(2, "@ana"), (3, "beto")]


def test_list_matches_case_insensitively_and_reports_unknown_by_line(db):
    for handle in ("ana", "beto", "carla"):
        creator_make(handle)
    Creator.objects.create(handle="MixedCase", name="Old admin edit")
    result = services.segment_list_create(
        name="Julio", text="@ANA, Beto\nnadie\ncarla\n@mixedcase\nno valid!\nbeto"
    )
    assert result.matched == 4
    assert result.unknown == [(2, "nadie"), (5, "no valid!")]
    assert members(result.segment) == ["MixedCase", "ana", "beto", "carla"]
    assert result.segment.kind == Segment.Kind.STATIC
    assert AuditEntry.objects.filter(action="segment.create", target_id=str(result.segment.pk))


def test_a_list_where_nothing_matches_is_not_saved(db):
    creator_make("ana")
    with pytest.raises(SegmentListNothingMatched) as raised:
        services.segment_list_create(name="Nada", text="nadie\notro")
    assert raised.value.unknown == [(1, "nadie"), (2, "otro")]
    assert not Segment.objects.exists()


def test_the_page_makes_a_list_from_pasted_handles(editor):
    creator_make("ana")
    creator_make("beto")
    page = editor.get("/segments/lists/new/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="list-handles"' in html and 'id="list-create"' in html
    response = editor.post(
        "/segments/lists/new/", {"name": "Pegada", "handles": "@Ana\nfantasma\nBETO"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    segment = Segment.objects.get(name="Pegada")
    assert members(segment) == ["ana", "beto"]
    assert 'id="list-result"' in html and segment.get_absolute_url() in html
    assert 'id="list-unknown"' in html and "fantasma" in html


def test_the_page_takes_an_uploaded_cp1252_csv(editor):
    creator_make("señora")  # not a valid handle: stays unknown
    creator_make("ana")
    upload = SimpleUploadedFile(
        "lista.csv", "usuario,estado\n@ANA,Michoacán\nnadie,Yucatán\n".encode("cp1252")
    )
    response = editor.post("/segments/lists/new/", {"name": "Subida", "file": upload})
    assert response.status_code == 200
    assert members(Segment.objects.get(name="Subida")) == ["ana"]
    assert "nadie" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "handles": "ana"},
        {"name": "x" * 151, "handles": "ana"},
        {"name": "Vacía", "handles": " \n , "},
        {"name": "Nadie", "handles": "fantasma"},
        {"name": "Nul", "handles": "ana\x00"},
    ],
)
def test_bad_lists_are_400_and_save_nothing(editor, data):
    creator_make("ana")
    response = editor.post("/segments/lists/new/", data)
    assert response.status_code == 400
    assert not Segment.objects.exists()


def test_analysts_cannot_make_lists(role_client):
    analyst = role_client("analyst")
    assert analyst.get("/segments/lists/new/").status_code == 403
    assert analyst.post("/segments/lists/new/", {"name": "x", "handles": "a"}).status_code == 403


# --- "Add to a list" from the creators list ---------------------------------------------------


def test_members_add_inserts_the_selection_once(db):
    from tests.support.factories import user_make

    actor = user_make("ops", role="editor")
    ana, beto = creator_make("ana", state="JAL"), creator_make("beto", state="JAL")
    creator_make("carla", state="SON")
    listed = services.segment_static_create(name="L", handles=["ana"]).segment
    added = services.segment_members_add(
        segment=listed,
        creators=Creator.objects.filter(state="JAL"),
        actor=actor,
        selection={"filters": "state=JAL"},
    )
    assert added == 1
    assert members(listed) == [ana.handle, beto.handle]
    entry = AuditEntry.objects.get(action="segment.member_add")
    assert entry.detail == {"creators": 1, "filters": "state=JAL"}


def test_members_add_refuses_a_dynamic_segment(db):
    from segments.exceptions import SegmentKindMismatch
    from tests.support.factories import segment_make, user_make

    dynamic = segment_make(name="Reglas")
    with pytest.raises(SegmentKindMismatch):
        services.segment_members_add(
            segment=dynamic,
            creators=Creator.objects.all(),
            actor=user_make("ops"),
            selection={},
        )


def test_bulk_add_to_a_new_list_and_to_an_existing_one(editor):
    for index in range(55):
        creator_make(f"jal_{index:02d}", state="JAL")
    creator_make("sonora", state="SON")
    response = editor.post(
        "/segments/add-creators/",
        {"query": "state=JAL", "all_matching": "on", "list_name": "Jalisco julio"},
    )
    segment = Segment.objects.get(name="Jalisco julio")
    assert response.status_code == 302 and response["Location"] == segment.get_absolute_url()
    assert len(members(segment)) == 55
    sonora = Creator.objects.get(handle="sonora")
    response = editor.post(
        "/segments/add-creators/", {"ids": [sonora.pk], "list_segment": segment.pk}
    )
    assert response.status_code == 302
    assert len(members(segment)) == 56


@pytest.mark.parametrize(
    "data",
    [
        {"all_matching": "on"},  # no list
        {"all_matching": "on", "list_segment": "999999"},
        {"all_matching": "on", "list_segment": "abc"},
        {"list_name": "x"},  # no selection
        {"all_matching": "on", "list_name": "x" * 151},
    ],
)
def test_bad_add_to_list_requests_are_400(editor, data):
    creator_make("ana")
    response = editor.post("/segments/add-creators/", data)
    assert response.status_code == 400
    assert not SegmentMember.objects.exists()


def test_a_dynamic_segment_is_not_a_list_to_add_to(editor):
    from tests.support.factories import segment_make

    dynamic = segment_make(name="Reglas")
    creator_make("ana")
    response = editor.post(
        "/segments/add-creators/", {"all_matching": "on", "list_segment": dynamic.pk}
    )
    assert response.status_code == 400


def test_analysts_cannot_add_to_lists(role_client):
    creator_make("ana")
    response = role_client("analyst").post(
        "/segments/add-creators/", {"all_matching": "on", "list_name": "x"}
    )
    assert response.status_code == 403
    assert not Segment.objects.exists()


def test_a_large_selection_is_listed_by_a_worker(
    editor, monkeypatch, django_capture_on_commit_callbacks
):
    from config.celery import app

    monkeypatch.setattr("creators.forms.BULK_SYNC_MAX", 2)
    for index in range(3):
        creator_make(f"jal_{index}", state="JAL")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = editor.post(
            "/segments/add-creators/",
            {"query": "state=JAL", "all_matching": "on", "list_name": "Grande"},
        )
    segment = Segment.objects.get(name="Grande")
    assert response.status_code == 302 and response["Location"] == segment.get_absolute_url()
    assert members(segment) == []
    app.conf.task_always_eager = True
    try:
        queued[0]()
    finally:
        app.conf.task_always_eager = False
    assert members(segment) == ["jal_0", "jal_1", "jal_2"]
    assert AuditEntry.objects.get(action="segment.member_add").detail["creators"] == 3
